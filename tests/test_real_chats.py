"""Grading real chats without a scenario, the way a QA lead would: the team's macros and replies sent to many
customers, brush-offs by structure, links that count for nothing, what the customer already said or did, and
distress and empathy in both languages."""

from __future__ import annotations

import json

import pytest

from bench.planted_chats import found, load
from grading import grade
from grading.team import TeamReplies
from tests.support import ROOT, sparring
from transcripts.format import Event, Transcript, load_transcript
from transcripts.macros import Macro

CORPUS = ROOT / "tests" / "data" / "chats" / "planted.yaml"


def chat(language: str, *lines: str, id: str = "chat") -> Transcript:
    """Alternating lines, the customer's first; "> " starts a line the customer sends as a second message."""
    events, role = [], "customer"
    for i, line in enumerate(lines, 1):
        if line.startswith("> "):
            line, role = line[2:], "customer"
        events.append(Event(seq=i, t=i * 20.0, role=role, type="message", text=line))
        role = "agent" if role == "customer" else "customer"
    return Transcript(id=id, language=language, events=events, meta={"timing": "missing"})


def kinds(transcript: Transcript, team: TeamReplies | None = None) -> dict[int, set[str]]:
    """The marks on each agent message, by its index among the agent's messages."""
    index = {e.seq: i for i, e in enumerate(transcript.messages("agent"))}
    out: dict[int, set[str]] = {}
    for mark in grade(transcript, team=team).marks:
        out.setdefault(index[mark.seq], set()).add(mark.kind)
    return out


def test_the_planted_faults_are_all_found_with_no_false_marks():
    """The hand-labelled chats (written apart from the grader; see README for what generalises)."""
    corpus = load(CORPUS)
    planted = hits = false = right = 0
    for labelled in corpus.chats:
        faults, strengths = found(labelled, corpus.grade(labelled))
        planted += len(labelled.faults)
        hits += len(labelled.faults & faults)
        false += len(faults - labelled.faults)
        right += faults == labelled.faults and labelled.strengths <= strengths
    assert len(corpus.chats) >= 20 and {c.language for c in corpus.chats} == {"en", "ru"}
    assert hits == planted, (hits, planted)
    assert false == 0 and right >= 45, (false, right)


def test_asking_again_for_an_order_number_the_customer_gave():
    transcript = chat(
        "en",
        "Hi, order 4471-B never arrived and it was due Monday",
        "Hi! What's your order number?",
        "I JUST told you",
    )
    assert "asked_again" in kinds(transcript)[0]
    confirmed = chat("en", "Hi, order 4471-B never arrived", "So that's order 4471-B, right? Let me check it.")
    assert "asked_again" not in kinds(confirmed).get(0, set())


@pytest.mark.parametrize(
    ("language", "customer", "agent"),
    [
        (
            "en",
            "The store told me to call your number, and I did. Nobody picks up.",
            "Have you tried calling the number?",
        ),
        ("ru", "В магазине сказали обращаться к вам, я там уже была.", "Обратитесь, пожалуйста, в магазин."),
        ("en", "Internet is down. I've restarted the router twice already.", "Please restart your router."),
        ("ru", "Приставка не работает, перезагружала два раза.", "Перезагрузите приставку, пожалуйста."),
    ],
)
def test_sending_the_customer_back_where_they_have_been_or_to_redo_what_they_did(language, customer, agent):
    assert "wrong_advice" in kinds(chat(language, customer, agent))[0]


def test_a_customer_saying_they_already_said_it_is_evidence_for_the_mark():
    transcript = chat("ru", "Здравствуйте, не пришла посылка", "Подскажите, пожалуйста, трек-номер.", "я же писала")
    assert "asked_again" in kinds(transcript)[0]


def test_distress_in_russian_and_a_two_word_reply():
    transcript = chat(
        "ru",
        "Я в отчаянии… Подарок маме на день рождения пришёл разбитым, праздник завтра",
        "Оформите возврат.",
    )
    assert "no_empathy" in kinds(transcript)[0]


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        ("en", "Don't worry, we'll get this sorted today."),
        ("en", "That must be really stressful right before the wedding."),
        ("ru", "Не переживайте, всё решим."),
        ("ru", "Понимаю, это очень неприятно."),
        ("ru", "Ой, неприятно, когда всё пропадает перед самым праздником."),  # a feeling that opens the reply
    ],
)
def test_reassurance_and_validation_are_empathy(language, reply):
    upset = {"en": "I'm panicking, my bag is lost and the wedding is tomorrow", "ru": "Я в панике, всё пропало"}
    assert "empathy" in kinds(chat(language, upset[language], reply))[0]


def test_a_question_mark_inside_a_link_asks_nothing():
    transcript = chat(
        "en",
        "Where can I download my March invoice?",
        "Here it is: https://billing.example.com/invoices?id=4471&month=3",
    )
    assert "clarifying_question" not in kinds(transcript).get(0, set())


def test_a_link_brush_off_is_a_template_even_when_the_link_repeats_the_customers_words():
    transcript = chat(
        "en",
        "My March bill has roaming charges on it, but my plan includes EU roaming",
        "Hi! You can find everything here: https://help.example.co.uk/articles/roaming-charges-on-my-bill-eu",
    )
    marks = kinds(transcript)[0]
    assert "canned_answer" in marks and "personalized" not in marks
    dealt = chat(
        "en",
        "My March bill has roaming charges on it, but my plan includes EU roaming",
        "I've checked your March usage: the £18.50 is from a Moroccan network near Tarifa, which EU roaming doesn't "
        "cover. I've refunded it. The coverage map is here: https://help.example.co.uk/roaming",
    )
    assert "canned_answer" not in kinds(dealt).get(0, set())


def test_an_email_address_to_write_to_is_a_pointer():
    transcript = chat(
        "en",
        "I've been charged twice for the course, $129 on Sept 3 and Sept 4",
        "Hello! For all payment questions, please contact our billing team at billing@school.example.",
    )
    assert "canned_answer" in kinds(transcript)[0]


def test_a_short_answer_with_a_link_for_more_is_an_answer():
    transcript = chat(
        "ru",
        "Долго ждать одобрения монетизации?",
        "Заявку рассматривают до пяти рабочих дней. Подробнее об условиях: https://help.example.ru/monetization",
    )
    assert "canned_answer" not in kinds(transcript).get(0, set())
    bare = chat("ru", "Долго ждать одобрения монетизации?", "Ответ есть здесь: https://help.example.ru/monetization")
    assert "canned_answer" in kinds(bare)[0]


REFERENCE = {
    "ru": "Максимальное количество пользователей с разными ролями составляет пятьдесят человек для одного канала. "
    "Владелец канала самостоятельно распределяет пользователей по ролям в разделе настроек студии.",
    "en": "Refunds are issued to the original payment method within ten business days of approval. Orders paid "
    "with gift cards are refunded as store credit, which never expires and can be used on any future purchase.",
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_article_pasted_into_a_chat_is_a_template(language):
    question = {"ru": "Сколько людей можно добавить в управление каналом?", "en": "How do refunds work?"}
    assert "canned_answer" in kinds(chat(language, question[language], REFERENCE[language]))[0]


@pytest.mark.parametrize(
    ("language", "reply"),
    [
        # The same facts, written in a conversation: "I", a verb that is "I" in Russian, a name, their number.
        ("ru", "Могу добавить до пятидесяти человек на канал, а роли владелец распределяет сам в настройках студии."),
        ("ru", "Перенесла доставку на субботу, с 14 до 18. Утром водитель позвонит и назовёт точное время приезда."),
        (
            "en",
            "Hi Dana, refunds go back to the card you paid with within ten business days of approval, and gift "
            "card orders come back as store credit that never expires.",
        ),
        (
            "en",
            "Refund RF-55120 goes back to the original payment method within ten business days of approval, and "
            "the gift card part comes back as store credit.",
        ),
    ],
)
def test_the_same_length_written_in_a_conversation_is_not_a_pasted_article(language, reply):
    question = {"ru": "Сколько ждать?", "en": "How long?"}[language]
    assert "canned_answer" not in kinds(chat(language, question, reply)).get(0, set())


@pytest.mark.parametrize(
    ("language", "customer", "reply"),
    [
        ("en", "Where is my parcel?! I needed it for today!!", "Sorry, my mistake: I sent it to the old address."),
        ("en", "I TOLD you the size already!!", "Sorry, I missed that. Changing it to a 42 now."),
        ("ru", "Кнопка СЕРАЯ, я же написала!!", "Извините, поторопилась. Сейчас переоформлю вручную."),
        ("ru", "Я же писала почту выше!!", "Простите, не досмотрела. Письмо уже отправила повторно."),
    ],
)
def test_an_apology_that_owns_a_mistake_is_empathy(language, customer, reply):
    assert "empathy" in kinds(chat(language, customer, reply))[0]


def test_steps_to_try_before_asking_anything_are_a_guess_unless_the_case_was_looked_up():
    guessed = chat(
        "en",
        "hey, our invoice export stopped working",
        "Please clear your browser cache and cookies, then run the export again. If it fails, try another browser.",
    )
    assert "missed_clarifying_question" in kinds(guessed)[0]
    looked = chat(
        "en",
        "I've been charged twice for the course, $129 on Sept 3 and Sept 4",
        "I can see both $129 payments: the checkout page was submitted twice. I've refunded the Sept 4 charge.",
    )
    assert "missed_clarifying_question" not in kinds(looked).get(0, set())


def test_asking_for_a_value_is_not_telling_them_to_redo_it():
    transcript = chat(
        "ru",
        "Вчера перевёл 12 500 ₽ по номеру телефона не тому человеку",
        "Здравствуйте! Уточните, пожалуйста, сумму перевода.",
    )
    assert "wrong_advice" not in kinds(transcript).get(0, set())


def test_a_team_macro_with_the_name_pasted_in_and_a_reply_sent_to_many_customers():
    macro = Macro("delivery-delay", "Hello! We are sorry your order is late. It will arrive within 3-5 working days.")
    pasted = chat(
        "en",
        "Where is my parcel?",
        "Hello Anna! We are sorry your order is late. It will arrive within 3-5 working days.",
    )
    team = TeamReplies.of([macro], [pasted])
    [mark] = [m for m in grade(pasted, team=team).marks if m.kind == "canned_answer"]
    assert "delivery-delay" in mark.why

    same = "We have passed this to the warehouse team and they will contact you within 48 hours about the parcel."
    chats = [chat("en", f"Parcel {n} is missing", same, id=f"c{n}") for n in range(3)]
    team = TeamReplies.of([], chats)
    [mark] = [m for m in grade(chats[0], team=team).marks if m.kind == "canned_answer"]
    assert "2 other customer" in mark.why and same[:40] in mark.why
    alone = TeamReplies.of([], chats[:1])
    assert not [m for m in grade(chats[0], team=alone).marks if m.kind == "canned_answer"]


@pytest.mark.parametrize("given", [None, "", "absent"])
def test_a_transcript_without_an_id_gets_one_from_its_name_and_content(tmp_path, given):
    body = {"format": "sparring.transcript/1", "language": "en", "events": []}
    if given != "absent":
        body["id"] = given
    path = tmp_path / "Support Chat 12.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    first = load_transcript(path).id
    assert first.startswith("support-chat-12-") and first == load_transcript(path).id
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / path.name).write_text(json.dumps({**body, "language": "ru"}), encoding="utf-8")
    assert load_transcript(other / path.name).id != first


@pytest.mark.slow
def test_templates_are_imported_per_group_and_imported_chats_are_graded_against_them(database_url, tmp_path):
    env = {"SPARRING_DATABASE_URL": database_url, "SPARRING_HOME": str(tmp_path / "home")}

    def run(*args: str) -> str:
        result = sparring(*args, env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("--as", "boss", "group", "add", "day-shift")
    run("--as", "boss", "person", "add", "ann", "--role", "trainee", "--group", "day-shift")
    macros = tmp_path / "macros.csv"
    macros.write_text(
        'name,text\nlate-order,"Hello! We are sorry your order is late. It will arrive within 3-5 working days."\n',
        encoding="utf-8",
    )
    denied = sparring("--as", "ann", "templates", "import", str(macros), "--group", "day-shift", env=env)
    assert denied.returncode == 1 and len(denied.stderr.strip().splitlines()) == 1
    run("--as", "boss", "templates", "import", str(macros), "--group", "day-shift")
    listed = json.loads(run("--as", "boss", "templates", "list", "--group", "day-shift", "--format", "json"))
    assert [m["name"] for m in listed] == ["late-order"]
    assert json.loads(run("--as", "boss", "templates", "list", "--format", "json")) == []  # not the shared one

    conversation = tmp_path / "chat.csv"
    conversation.write_text(
        "role,text\ncustomer,Where is my parcel? It was due on Monday.\n"
        'agent,"Hello Ann! We are sorry your order is late. It will arrive within 3-5 working days."\n',
        encoding="utf-8",
    )
    run("--as", "boss", "import", str(conversation), "--trainee", "ann", "--lang", "en")
    sessions = run("--as", "boss", "sessions", "--trainee", "ann")
    session = next(line.split("│")[1].strip() for line in sessions.splitlines() if line.startswith("│"))
    report = json.loads(run("--as", "boss", "export", session, "--format", "json"))["report"]
    assert any(m["kind"] == "canned_answer" and "late-order" in m["why"] for m in report["marks"])


@pytest.mark.slow
def test_a_broken_macro_file_is_refused_in_one_line(tmp_path):
    broken = tmp_path / "macros.yaml"
    broken.write_text("- name: a\n  text: hello there, a macro\n- name: b\n", encoding="utf-8")
    result = sparring("--as", "boss", "templates", "import", str(broken), env={"SPARRING_HOME": str(tmp_path)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"{broken}:3: [1].text: missing or empty"
