"""What a mark says, in the transcript's language: why it matters and what to write instead."""

from __future__ import annotations

WHY: dict[str, dict[str, str]] = {
    "missed_clarifying_question": {
        "en": "You proposed a solution before finding this out: {label}.",
        "ru": "Вы предложили решение, не выяснив важное: {label}.",
    },
    "missed_any_question": {
        "en": "You proposed a fix before asking a single question about what happened.",
        "ru": "Вы предложили решение, не задав ни одного вопроса о том, что случилось.",
    },
    "interruption": {
        "en": "You wrote while the customer was still typing.",
        "ru": "Вы написали, пока клиент ещё печатал.",
    },
    "interruption_opening": {
        "en": "You cut into the customer's first message before they had explained the problem.",
        "ru": "Вы перебили первое сообщение клиента, не дав ему объяснить проблему.",
    },
    "canned_answer": {
        "en": "A template that would fit any customer: \u201c{phrase}\u201d.",
        "ru": "Шаблон, который подошёл бы любому клиенту: «{phrase}».",
    },
    "repeated_answer": {
        "en": "Almost the same message as before: repeating it does not make it land.",
        "ru": "Почти то же сообщение, что и раньше: от повтора оно не становится понятнее.",
    },
    "asked_again": {
        "en": "The customer had already told you this ({label}): \u201c{value}\u201d.",
        "ru": "Клиент уже говорил об этом ({label}): «{value}».",
    },
    "no_empathy": {
        "en": "The customer was upset (\u201c{quote}\u201d) and no reply acknowledged it.",
        "ru": "Клиент был расстроен («{quote}»), и ни один ответ этого не признал.",
    },
    "wrong_advice": {
        "en": "Advice that ignores what the customer said: {why}",
        "ru": "Совет, который не учитывает сказанное клиентом: {why}",
    },
    "macro": {
        "en": "Your team's macro \u201c{name}\u201d, with at most the customer's details pasted in.",
        "ru": "Макрос команды «{name}», в который вставлены разве что данные клиента.",
    },
    "sent_elsewhere": {
        "en": "Sent nearly word for word to {customers} other customer(s), e.g. \u201c{example}\u201d.",
        "ru": "Почти слово в слово ушло ещё {customers} клиент(ам), например: «{example}».",
    },
    "told_you": {
        "en": "the customer had said it already, and told you so (\u201c{quote}\u201d).",
        "ru": "клиент уже говорил об этом и так и ответил («{quote}»).",
    },
    "been_there": {
        "en": "the customer said they had already been sent there, or been there.",
        "ru": "клиент уже сказал, что его туда отправляли или что он там уже был.",
    },
    "asked_again_told": {
        "en": "The customer had already said this, and told you so: \u201c{quote}\u201d.",
        "ru": "Клиент уже говорил об этом и так и ответил: «{quote}».",
    },
    "already_did": {
        "en": "the customer already said they did this (\u201c{quote}\u201d).",
        "ru": "клиент уже сказал, что сделал это («{quote}»).",
    },
    "slow_first_reply": {
        "en": "Your first reply came after {seconds:.0f} s; the customer waited longer than {limit:.0f} s.",
        "ru": "Первый ответ пришёл через {seconds:.0f} с; клиент ждал дольше {limit:.0f} с.",
    },
    "clarifying_question": {
        "en": "A good question: it finds out what you need before acting.",
        "ru": "Хороший вопрос: он выясняет нужное до того, как действовать.",
    },
    "empathy": {
        "en": "You acknowledged how the customer felt.",
        "ru": "Вы признали чувства клиента.",
    },
    "personalized": {
        "en": "You used the customer's own details ({details}).",
        "ru": "Вы использовали детали, которые назвал клиент ({details}).",
    },
    "deescalated": {
        "en": "The customer calmed down after this reply.",
        "ru": "После этого ответа клиент успокоился.",
    },
    "handled_partial": {
        "en": "The customer answered only half of your question, and you asked for the other half: {label}.",
        "ru": "Клиент ответил только на половину вопроса, и вы спросили вторую: {label}.",
    },
    "handled_false_claim": {
        "en": "The customer said the step was done; you checked instead of taking it on trust.",
        "ru": "Клиент сказал, что шаг уже сделан, а вы проверили, а не поверили на слово.",
    },
    "handled_tangent": {
        "en": "The customer went off on a tangent, and you brought the conversation back to the problem.",
        "ru": "Клиент отвлёкся на постороннее, и вы вернули разговор к проблеме.",
    },
    "handled_manager": {
        "en": "The customer asked for a manager, and you stayed with them and moved the case on.",
        "ru": "Клиент потребовал руководителя, а вы остались с ним и продвинули решение.",
    },
    "handled_not_offered": {
        "en": "The customer asked for something you don't offer, and you answered with what you can do.",
        "ru": "Клиент попросил того, чего компания не предлагает, и вы ответили тем, что можете сделать.",
    },
    "handled_quiet": {
        "en": "The customer went quiet, and you checked in on them.",
        "ru": "Клиент пропал, и вы проверили, на связи ли он.",
    },
}

BETTER: dict[str, dict[str, str]] = {
    "asked_again_told": {
        "en": "Scroll up first, and build on what they wrote: \u201cYou mentioned…, so…\u201d",
        "ru": "Сначала перечитайте переписку и опирайтесь на написанное: «Вы писали…, поэтому…»",
    },
    "missed_any_question": {
        "en": "Ask first, e.g. \u201cWhat exactly happens, and since when?\u201d",
        "ru": "Сначала спросите, например: «Что именно происходит и с какого момента?»",
    },
    "interruption": {
        "en": "Wait for the customer to finish, then answer what they actually said.",
        "ru": "Дождитесь, пока клиент допишет, и отвечайте на то, что он сказал.",
    },
    "canned_answer": {
        "en": "Answer this customer in your own words, using what they told you: their order, dates, what they tried.",
        "ru": "Ответьте этому клиенту своими словами, опираясь на то, что он рассказал: заказ, даты, что уже пробовал.",
    },
    "repeated_answer": {
        "en": "If it did not land, explain it differently or ask what is unclear.",
        "ru": "Если не сработало, объясните иначе или спросите, что непонятно.",
    },
    "asked_again": {
        "en": "Build on it: \u201cYou mentioned {value}, so\u2026\u201d",
        "ru": "Опирайтесь на сказанное: «Вы упомянули: {value}, поэтому…»",
    },
    "no_empathy": {
        "en": "Acknowledge it before anything else, e.g. \u201cI'm sorry, that sounds really frustrating.\u201d",
        "ru": "Сначала признайте это, например: «Мне очень жаль, понимаю, как это неприятно».",
    },
    "wrong_advice": {
        "en": "Build on what the customer told you and offer what fits their situation.",
        "ru": "Опирайтесь на то, что рассказал клиент, и предложите то, что подходит именно ему.",
    },
    "slow_first_reply": {
        "en": "Answer quickly, even if only to acknowledge and ask a first question.",
        "ru": "Отвечайте быстро, хотя бы чтобы признать проблему и задать первый вопрос.",
    },
}


def why(key: str, lang: str, **values: object) -> str:
    return WHY[key][lang].format(**values)


def better(key: str, lang: str, **values: object) -> str:
    return BETTER[key][lang].format(**values)
