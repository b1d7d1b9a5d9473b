"""Every user-visible string of the CLI in English and Russian. ``SPARRING_LANGUAGE`` picks one."""

from __future__ import annotations

import os

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (English, Russian)
    "app.help": (
        "Sparring: practise customer support on AI customers before you meet real ones.",
        "Sparring: тренируйте поддержку клиентов на ИИ-клиентах до встречи с настоящими.",
    ),
    "validate.help": (
        "Check persona and scenario YAML files and folders (default: everything shipped and configured).",
        "Проверить YAML-файлы и папки персонажей и сценариев (по умолчанию всё поставляемое и настроенное).",
    ),
    "validate.paths": ("Files or folders to check.", "Файлы или папки для проверки."),
    "validate.ok": (
        "{personas} personas and {scenarios} scenarios are valid.",
        "Персонажей: {personas}, сценариев: {scenarios} — ошибок нет.",
    ),
    "validate.failed": ("{count} problem(s) found.", "Найдено проблем: {count}."),
    "schema.help": (
        "Write the JSON Schema of a persona or scenario file, for editors (yaml-language-server).",
        "Вывести JSON Schema персонажа или сценария для редакторов (yaml-language-server).",
    ),
    "schema.kind": ("persona or scenario", "persona или scenario"),
    "schema.out": ("Write to this file instead of standard output.", "Записать в файл вместо стандартного вывода."),
    "schema.written": ("Schema written to {path}", "Схема записана в {path}"),
    "list.help": (
        "List the personas and scenarios you can practise with.",
        "Показать персонажей и сценарии для тренировки.",
    ),
    "simulate.help": (
        "Play a whole session without a screen, with a bot or a script as the agent, and save the transcript.",
        "Провести сессию без экрана (агент — бот или сценарий реплик) и сохранить транскрипт.",
    ),
    "simulate.scenario": (
        "Scenario id or path to a scenario YAML file.",
        "Id сценария или путь к YAML-файлу сценария.",
    ),
    "simulate.bot": (
        "Built-in agent bot: good, canned, interrupter or hasty.",
        "Встроенный бот-агент: good, canned, interrupter или hasty.",
    ),
    "simulate.script": (
        "Agent script: a YAML list of {say, when, delay} steps.",
        "Сценарий агента: YAML-список шагов {say, when, delay}.",
    ),
    "simulate.backend": (
        "Who writes the customer: local, openai or scripted.",
        "Кто пишет за клиента: local, openai или scripted.",
    ),
    "simulate.model": ("GGUF path (local) or model name (openai).", "Путь к GGUF (local) или имя модели (openai)."),
    "simulate.seed": ("Seed: the same seed plays the same session.", "Seed: одинаковый seed даёт одинаковую сессию."),
    "simulate.out": ("Where to write the transcript JSON.", "Куда записать транскрипт (JSON)."),
    "simulate.quiet": ("Print only where the transcript went.", "Печатать только путь к транскрипту."),
    "simulate.bot_and_script": (
        "--agent-bot and --agent-script exclude each other; choose one.",
        "--agent-bot и --agent-script взаимоисключающие; выберите одно.",
    ),
    "simulate.unknown_bot": (
        "unknown bot '{name}' (choose from: {choices})",
        "неизвестный бот '{name}' (варианты: {choices})",
    ),
    "simulate.scripted_instead": (
        "The embedded model writes no usable {lang}; the customer uses authored lines (scripted). "
        "Set SPARRING_MODEL to a bigger GGUF or use --backend openai for a generated voice.",
        "Встроенная модель не пишет на языке «{lang}»; клиент говорит авторскими репликами (scripted). "
        "Укажите SPARRING_MODEL с более крупной GGUF или --backend openai.",
    ),
    "simulate.saved": ("Transcript saved to {path}", "Транскрипт сохранён в {path}"),
    "simulate.outcome": (
        "Outcome: {outcome} · customer patience {patience}/100",
        "Итог: {outcome} · терпение клиента {patience}/100",
    ),
    "simulate.fallbacks": (
        " · {fallbacks}/{lines} model lines replaced by authored ones",
        " · реплик модели заменено авторскими: {fallbacks} из {lines}",
    ),
    "simulate.interrupted": (
        "Interrupted; the transcript so far is saved.",
        "Прервано; транскрипт до этого момента сохранён.",
    ),
    "practice.help": (
        "Chat with a customer in this terminal, in real time; type /end to finish.",
        "Поговорить с клиентом в этом терминале в реальном времени; /end — завершить.",
    ),
    "practice.how": (
        "Type your reply and press Enter. Replying while the customer types interrupts them. {end} ends.",
        "Пишите ответ и нажимайте Enter. Ответ, пока клиент печатает, перебивает его. {end} — конец.",
    ),
    "practice.typing": ("{name} is typing…", "{name} печатает…"),
    "practice.interrupted": ("(you interrupted {name})", "(вы перебили: {name})"),
    "note.model_unavailable": (
        "The model is unavailable, so an authored line was used: {error}",
        "Модель недоступна, поэтому использована авторская реплика: {error}",
    ),
    "grade.help": (
        "Grade a transcript or a real chat export (JSON or CSV): marks on turns, skills, score.",
        "Оценить транскрипт или выгрузку реального чата (JSON или CSV): отметки по репликам, навыки, балл.",
    ),
    "grade.file": (
        "Transcript JSON, a JSON list of messages, or a CSV chat export.",
        "Транскрипт JSON, JSON-список сообщений или CSV-выгрузка чата.",
    ),
    "grade.scenario": (
        "Scenario id or YAML file (default: the transcript's own scenario, if known).",
        "Id или YAML-файл сценария (по умолчанию — сценарий из транскрипта, если он известен).",
    ),
    "grade.format": ("Output: text, json or md.", "Вывод: text, json или md."),
    "grade.lang": (
        "Language of the conversation, if it cannot be told from the file (en or ru).",
        "Язык разговора, если его нельзя определить по файлу (en или ru).",
    ),
    "grade.judge": (
        "Also ask the configured model, per rubric criterion (slower; marks are labelled).",
        "Дополнительно спросить настроенную модель по каждому критерию (медленнее; отметки подписаны).",
    ),
    "grade.unknown_scenario": (
        "The transcript names scenario '{id}', which is not in the catalogue; grading without it.",
        "В транскрипте указан сценарий '{id}', которого нет в каталоге; оценка без сценария.",
    ),
    "analyze.help": (
        'Tag each utterance of a JSONL file ({"text", "lang"?} per line) as question, template, empathy.',
        'Разметить каждую реплику JSONL-файла ({"text", "lang"?} в строке): вопрос, шаблон, эмпатия.',
    ),
    "analyze.file": ("JSONL file, or - for standard input.", "JSONL-файл или - для стандартного ввода."),
    "report.score": ("Score", "Балл"),
    "report.passed": ("passed", "зачёт"),
    "report.failed": ("failed", "незачёт"),
    "report.pass_mark": ("pass mark {score}", "проходной балл {score}"),
    "report.outcome": ("outcome", "итог"),
    "report.skills": ("Skills", "Навыки"),
    "report.transcript": ("Transcript", "Транскрипт"),
    "report.better": ("better", "лучше"),
    "report.judged": ("judged by {model}", "оценка модели {model}"),
    "report.no_marks": ("No marks.", "Отметок нет."),
    "skill.asking": ("asking", "вопросы"),
    "skill.listening": ("listening", "умение слушать"),
    "skill.personalization": ("personalization", "персонализация"),
    "skill.empathy": ("empathy", "эмпатия"),
    "skill.resolution": ("resolution", "решение"),
    "kind.missed_clarifying_question": ("missed clarifying question", "не задан уточняющий вопрос"),
    "kind.interruption": ("interruption", "перебивание"),
    "kind.canned_answer": ("canned answer", "шаблонный ответ"),
    "kind.repeated_answer": ("repeated answer", "повтор ответа"),
    "kind.asked_again": ("asked again", "повторный вопрос"),
    "kind.no_empathy": ("no empathy", "нет эмпатии"),
    "kind.wrong_advice": ("wrong advice", "неверный совет"),
    "kind.slow_first_reply": ("slow first reply", "медленный первый ответ"),
    "kind.clarifying_question": ("clarifying question", "уточняющий вопрос"),
    "kind.empathy": ("empathy", "эмпатия"),
    "kind.personalized": ("personalized", "персонально"),
    "kind.deescalated": ("de-escalated", "снижение напряжения"),
    "severity.minor": ("minor", "незначительно"),
    "severity.major": ("major", "серьёзно"),
    "severity.critical": ("critical", "критично"),
    "store.unknown_person": (
        "'{name}' is not a known person here; ask an admin to add you (sparring person add).",
        "'{name}' здесь не зарегистрирован; попросите администратора добавить вас (sparring person add).",
    ),
    "store.staff_only": (
        "{name} may not do this: only trainers and admins can.",
        "{name} не может этого сделать: это доступно только тренерам и администраторам.",
    ),
    "store.no_session": ("no session '{id}' (or not one you may see)", "нет сессии '{id}' (или она вам недоступна)"),
    "store.not_yours": ("session '{id}' belongs to someone else", "сессия '{id}' принадлежит другому человеку"),
    "store.not_mentor": ("you do not mentor the trainee of session '{id}'", "вы не наставник автора сессии '{id}'"),
    "store.not_member": ("you are not in group '{name}'", "вы не состоите в группе '{name}'"),
    "store.exists": ("'{name}' already exists", "'{name}' уже существует"),
    "store.no_group": ("no group '{name}'", "нет группы '{name}'"),
    "store.no_person": ("no person '{name}' (or not one you may see)", "нет человека '{name}' (или он вам недоступен)"),
    "store.no_mark": ("no mark {id}", "нет отметки {id}"),
    "store.bad_role": ("unknown role '{role}' (choose from: {roles})", "неизвестная роль '{role}' (варианты: {roles})"),
    "store.bad_verdict": (
        "a review is agree or override, not '{verdict}'",
        "отзыв — agree или override, а не '{verdict}'",
    ),
    "store.bad_response": (
        "a response is acknowledge or dispute, not '{response}'",
        "ответ — acknowledge или dispute, а не '{response}'",
    ),
    "store.reason_needed": ("give a reason (--reason)", "укажите причину (--reason)"),
    "session.graded": (
        "Graded: {score}/100, {verdict}. See it with: sparring export {id} --format md",
        "Оценка: {score}/100, {verdict}. Подробно: sparring export {id} --format md",
    ),
    "mode.help": (
        "practice (hints and the mood meter allowed) or assessment (graded as an exam)",
        "practice (тренировка: подсказки разрешены) или assessment (оценивается как экзамен)",
    ),
    "as.help": (
        "Act as this person (default: SPARRING_USER or your login name).",
        "Действовать от имени этого человека (по умолчанию SPARRING_USER или имя входа).",
    ),
    "manage.group_added": ("Group '{name}' added.", "Группа '{name}' добавлена."),
    "manage.person_added": ("{name} added as {role}.", "{name} добавлен(а) с ролью {role}."),
    "manage.imported": ("{file}: stored as {id}, graded {score}/100", "{file}: сохранено как {id}, оценка {score}/100"),
    "manage.reviewed": ("Review saved.", "Отзыв сохранён."),
    "manage.commented": ("Comment saved.", "Комментарий сохранён."),
    "manage.responded": ("Response saved.", "Ответ сохранён."),
    "manage.closed": ("Session {id} closed.", "Сессия {id} закрыта."),
    "manage.group": ("group", "группа"),
    "manage.members": ("members", "участники"),
    "manage.person": ("person", "человек"),
    "manage.role": ("role", "роль"),
    "manage.in_group": ("in the group", "в группе"),
    "manage.mentors": ("mentors", "наставник"),
    "manage.trains": ("trains", "обучается"),
    "manage.session": ("session", "сессия"),
    "manage.trainee": ("trainee", "стажёр"),
    "manage.scenario": ("scenario", "сценарий"),
    "manage.started": ("started", "начало"),
    "manage.status": ("status", "статус"),
    "status.running": ("running", "идёт"),
    "status.finished": ("finished", "завершена"),
    "status.abandoned": ("abandoned", "прервана"),
    "group.help": ("Mentor groups: add, list, members.", "Группы наставников: add, list, members."),
    "group.add.help": ("Add a mentor group (trainers and admins).", "Добавить группу (тренеры и администраторы)."),
    "group.list.help": ("List the groups you can see.", "Показать доступные группы."),
    "group.members.help": ("List a group's members.", "Показать участников группы."),
    "group.name": ("Group name.", "Название группы."),
    "person.help": ("People: add.", "Люди: add."),
    "person.add.help": (
        "Add a person with a role, in groups (trainers and admins).",
        "Добавить человека с ролью и группами (тренеры и администраторы).",
    ),
    "person.name": ("Person's name (as used with --as).", "Имя человека (как в --as)."),
    "person.role": ("trainee, mentor, trainer or admin.", "trainee, mentor, trainer или admin."),
    "person.group": ("Group they train in (repeatable).", "Группа, в которой обучается (можно несколько)."),
    "person.mentors": ("Group they mentor (repeatable).", "Группа, которую наставляет (можно несколько)."),
    "sessions.help": ("List stored sessions you can see, newest first.", "Показать доступные сессии, новые сверху."),
    "sessions.trainee": ("Only this trainee's.", "Только этого стажёра."),
    "sessions.group": ("Only this group's trainees.", "Только стажёров этой группы."),
    "sessions.scenario": ("Only this scenario.", "Только этот сценарий."),
    "sessions.status": ("running, finished or abandoned.", "running, finished или abandoned."),
    "sessions.limit": ("At most this many.", "Не больше стольких."),
    "session.id": ("Session id (see sparring sessions).", "Id сессии (см. sparring sessions)."),
    "review.help": (
        "Agree with a mark or override it with a reason (mentors).",
        "Согласиться с отметкой или отменить её с причиной (наставники).",
    ),
    "review.mark": ("Mark number, as listed by sparring export.", "Номер отметки, как в sparring export."),
    "review.override": ("Override the mark instead of agreeing.", "Отменить отметку вместо согласия."),
    "review.reason": ("Why (required to override or dispute).", "Почему (обязательно для отмены и оспаривания)."),
    "comment.help": (
        "Comment on a session or one turn of it (mentors).",
        "Прокомментировать сессию или реплику (наставники).",
    ),
    "comment.text": ("The comment.", "Текст комментария."),
    "comment.seq": ("The turn (seq) it is about.", "Реплика (seq), к которой он относится."),
    "respond.help": (
        "Acknowledge a mark on your session, or dispute it with a reason.",
        "Принять отметку в своей сессии или оспорить её с причиной.",
    ),
    "respond.dispute": ("Dispute instead of acknowledging.", "Оспорить вместо принятия."),
    "close.help": ("Close an abandoned session as unfinished.", "Закрыть прерванную сессию как незавершённую."),
    "import.help": (
        "Store conversations from files (transcripts or chat exports) and grade them.",
        "Сохранить разговоры из файлов (транскрипты или выгрузки чатов) и оценить их.",
    ),
    "import.files": ("Files to import.", "Файлы для импорта."),
    "import.trainee": (
        "Whose conversations these are (staff only; default: you).",
        "Чьи это разговоры (только для тренеров; по умолчанию — ваши).",
    ),
    "manage.no_mark": (
        "session {id} has {count} marks; there is no mark {number}",
        "в сессии {id} отметок: {count}; отметки {number} нет",
    ),
    "catalog.flag": (
        "Extra folder of persona and scenario YAML (repeatable).",
        "Дополнительная папка с YAML персонажей и сценариев (можно несколько).",
    ),
    "error.prefix": ("error", "ошибка"),
    "role.customer": ("customer", "клиент"),
    "role.agent": ("agent", "агент"),
    "role.system": ("system", "система"),
    "outcome.resolved": ("resolved", "решено"),
    "outcome.customer_left": ("customer left", "клиент ушёл"),
    "outcome.unfinished": ("unfinished", "не завершено"),
    "list.personas": ("Personas", "Персонажи"),
    "list.scenarios": ("Scenarios", "Сценарии"),
    "tui.soon": (
        "The practice app arrives in a later release; meanwhile use the commands below.",
        "Приложение для тренировки появится в следующей версии; пока используйте команды ниже.",
    ),
}


def language() -> str:
    lang = os.environ.get("SPARRING_LANGUAGE", "en")
    return lang if lang in ("en", "ru") else "en"


def t(key: str, lang: str | None = None, **values: object) -> str:
    english, russian = MESSAGES[key]
    text = russian if (lang or language()) == "ru" else english
    return text.format(**values) if values else text
