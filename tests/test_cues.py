"""The shared cue analyzer on hand-written English and Russian agent lines."""

from __future__ import annotations

import pytest

from grading.cues import analyze, lexicon, offers_help, says_ai


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Could you tell me when it started?", "en"),
        ("What do the lights on the router show", "en"),
        ("Please tell me your contract number.", "en"),
        ("Подскажите, пожалуйста, номер заказа.", "ru"),
        ("Когда это началось", "ru"),
        ("Можете прислать номер заказа", "ru"),
        ("А вы можете назвать номер договора", "ru"),
    ],
)
def test_information_seeking(text, lang):
    assert analyze(text, lang).question


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I've booked a technician for tomorrow.", "en"),
        ("Я оформила возврат, деньги придут завтра.", "ru"),
        # "You can" tells what is possible; it asks for nothing.
        ("Вы можете обратиться по телефону 8 800 250-08-90.", "ru"),
    ],
)
def test_statements_are_not_questions(text, lang):
    assert not analyze(text, lang).question


def test_template_empathy_is_not_empathy_unless_it_is_about_this_customer():
    canned = analyze("I understand your frustration. We apologize for any inconvenience.", "en")
    assert canned.canned and canned.empathy and not canned.empathic
    heard = "My internet has been dead for three days and I work from home."
    personal = analyze(
        "I understand your frustration: three days without internet when you work from home.", "en", heard=heard
    )
    assert personal.empathic and "internet" in personal.echoed


@pytest.mark.parametrize(
    ("text", "lang", "canned"),
    [
        ("Спасибо за обращение! Ваша заявка передана специалистам.", "ru", True),
        ("Ваш звонок очень важен для нас.", "ru", True),
        ("Мне очень жаль, что курьер так поступил. Давайте я сам свяжусь со службой доставки.", "ru", False),
    ],
)
def test_russian_templates(text, lang, canned):
    assert bool(analyze(text, lang).canned) is canned


def test_lexicons_are_large_enough_in_both_languages():
    for lang in ("en", "ru"):
        assert len(lexicon(lang).canned) >= 60 and len(lexicon(lang).empathy) >= 20


@pytest.mark.parametrize(("text", "lang"), [("How can I help you today?", "en"), ("Чем могу помочь?", "ru")])
def test_the_agent_voice_is_recognised(text, lang):
    assert offers_help(text, lang) and not says_ai(text, lang)


@pytest.mark.parametrize(("text", "lang"), [("As an AI language model I can't", "en"), ("Я языковая модель", "ru")])
def test_ai_talk_is_recognised(text, lang):
    assert says_ai(text, lang)


def test_a_customer_complaining_about_a_chatbot_is_not_an_ai():
    for text, lang in (
        ("Your chatbot keeps sending me in circles.", "en"),
        ("Ваш чат-бот гоняет меня по кругу.", "ru"),
    ):
        assert not says_ai(text, lang) and not offers_help(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ugh, how frustrating.", "en"),
        ("How annoying that must be.", "en"),
        ("Как обидно.", "ru"),
        ("Как же неприятно.", "ru"),
    ],
)
def test_how_and_a_feeling_word_exclaims_empathy_and_asks_nothing(text, lang):
    cues = analyze(text, lang)
    assert cues.empathic and not cues.question


@pytest.mark.parametrize(("text", "lang"), [("How long has it been down", "en"), ("Как давно нет интернета", "ru")])
def test_how_and_anything_else_still_asks(text, lang):
    assert analyze(text, lang).question
