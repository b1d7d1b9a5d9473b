"""Every user-visible string of the CLI in English and Russian. The settings pick one: ``SPARRING_LANGUAGE``,
else ``language`` in config.toml."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from simulator.vocabulary import LANGUAGES

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
        "{personas} personas, {scenarios} scenarios and {paths} paths are valid.",
        "Персонажей: {personas}, сценариев: {scenarios}, программ: {paths} — ошибок нет.",
    ),
    "validate.failed": ("{count} problem(s) found.", "Найдено проблем: {count}."),
    "validate.warnings": (
        "{count} warning(s): worth a look, though the files are valid.",
        "Предупреждений: {count}: файлы корректны, но стоит посмотреть.",
    ),
    "schema.help": (
        "Write the JSON Schema of a persona or scenario file, for editors (yaml-language-server).",
        "Вывести JSON Schema персонажа или сценария для редакторов (yaml-language-server).",
    ),
    "schema.kind": ("persona, scenario or path", "persona, scenario или path"),
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
    "store.macros_denied": (
        "{name} may not change this macro library: trainers and admins may, and a group's mentors for the group.",
        "{name} не может менять эту библиотеку макросов: это могут тренеры и администраторы, "
        "а для группы — её наставники.",
    ),
    "simulate.difficulty": (
        "Play the scenario at this difficulty, 1 (forgiving) to 5 (hard), instead of its own.",
        "Сложность, с которой играть сценарий, от 1 (прощает многое) до 5 (трудно), вместо его собственной.",
    ),
    "difficulty.level": (
        "Difficulty {level} of 5: starting patience {patience:+d}, each fault costs ×{cost:g}.",
        "Сложность {level} из 5: терпение в начале {patience:+d}, каждая ошибка стоит ×{cost:g}.",
    ),
    "difficulty.chunks": ("Turns come in more messages.", "Реплики приходят большим числом сообщений."),
    "difficulty.may": ("This customer may {behaviours}.", "Этот клиент может {behaviours}."),
    "difficulty.straight": ("This customer plays it straight.", "Этот клиент ведёт себя прямо, без уловок."),
    "behaviour.terse": ("answer in two or three words", "отвечать двумя-тремя словами"),
    "behaviour.tangent": ("go off on a tangent", "отвлекаться на постороннее"),
    "behaviour.partial": ("answer only half of a two-part question", "отвечать только на половину двойного вопроса"),
    "behaviour.false_claim": ("say a step is done when it isn't", "уверять, что шаг сделан, когда это не так"),
    "behaviour.not_offered": ("ask for something you don't offer", "просить того, чего компания не предлагает"),
    "behaviour.quiet": ('go quiet, then write "hello??"', "пропасть, а потом написать «алло??»"),
    "behaviour.manager": ("ask for a manager", "требовать руководителя"),
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
        "The embedded model writes no usable {language}; the customer uses authored lines (scripted). "
        "Set SPARRING_MODEL to a bigger GGUF or use --backend openai for a generated voice.",
        "Встроенная модель не пишет связно на языке сценария ({language}); клиент говорит авторскими репликами "
        "(scripted). "
        "Укажите SPARRING_MODEL с более крупной GGUF или --backend openai.",
    ),
    "language.en": ("English", "английский"),
    "language.ru": ("Russian", "русский"),
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
    "understand.help": (
        "Show how a scenario's customer would understand an agent message, and why (for trainers).",
        "Показать, как клиент сценария поймёт реплику оператора и почему (для тренеров).",
    ),
    "understand.messages": ("One or more agent messages.", "Одна или несколько реплик оператора."),
    "understand.format": ("text, or json for scripts", "text или json для скриптов"),
    "understand.asks": ("asks for", "спрашивает"),
    "understand.unknown": ("asks what the customer does not know", "спрашивает то, чего клиент не знает"),
    "understand.resolution": ("resolution", "решение"),
    "understand.trap": ("trap advice", "ошибочный совет"),
    "understand.states": ("states the value of", "сам называет значение"),
    "understand.unplaced": ("a question the customer cannot place", "вопрос, который клиент не понимает"),
    "understand.nearest": ("nearest fact", "ближайший факт"),
    "understand.nothing": ("nothing the scenario knows of", "ничего из того, что знает сценарий"),
    "understand.customer": ("the customer would", "клиент ответит так"),
    "unplaced.help": (
        "List the questions trainees asked in stored sessions of a scenario that its customer could not place.",
        "Показать вопросы из сохранённых сессий сценария, которые клиент не смог понять.",
    ),
    "unplaced.limit": ("How many recent sessions to read.", "Сколько последних сессий просмотреть."),
    "unplaced.none": (
        "In the stored sessions of {scenario} the customer understood every question.",
        "В сохранённых сессиях {scenario} клиент понял все вопросы.",
    ),
    "report.score": ("Score", "Балл"),
    "report.passed": ("passed", "зачёт"),
    "report.failed": ("failed", "незачёт"),
    "report.pass_mark": ("pass mark {score}", "проходной балл {score}"),
    "report.outcome": ("outcome", "итог"),
    "report.skills": ("Skills", "Навыки"),
    "report.transcript": ("Transcript", "Транскрипт"),
    "report.better": ("better", "лучше"),
    "report.voided": (
        "not counted: it follows a mistake of the simulated customer's",
        "не засчитано: это следует за ошибкой симулированного клиента",
    ),
    "audit.helped": ("(a simulator fault that could have helped)", "(ошибка симулятора, которая могла помочь)"),
    "audit.hindered": ("(a simulator fault that could have hindered)", "(ошибка симулятора, которая могла помешать)"),
    "audit.unasked_fact": (
        "The simulated customer gave the {label} without being asked",
        "Симулированный клиент назвал {label}, хотя его не спрашивали",
    ),
    "audit.contradicts_ledger": (
        "The simulated customer gave a wrong value for the {label}",
        "Симулированный клиент назвал неверное значение: {label}",
    ),
    "audit.misfit": (
        "The simulated customer's line did not say what it was meant to",
        "Реплика симулированного клиента не сказала того, что должна была",
    ),
    "audit.speaks_as_agent": (
        "The simulated customer spoke as the agent",
        "Симулированный клиент заговорил как оператор",
    ),
    "audit.premature_end": (
        "The simulated customer said goodbye but stayed",
        "Симулированный клиент попрощался, но остался в чате",
    ),
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
    "kind.handled_customer": ("handled the customer", "справились с клиентом"),
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
    "store.no_grade": ("session '{id}' has no such grade", "у сессии '{id}' нет такой оценки"),
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
    "app.backend": (
        "The app only: who writes the customer (local, openai or scripted).",
        "Только для приложения: кто пишет за клиента (local, openai или scripted).",
    ),
    "app.model": (
        "The app only: GGUF path (local) or model name (openai).",
        "Только для приложения: путь к GGUF (local) или имя модели (openai).",
    ),
    "app.base_url": (
        "The app only: the OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.",
        "Только для приложения: OpenAI-совместимый сервер, например http://127.0.0.1:8080/v1.",
    ),
    "app.framing": (
        "The app only: auto, transcript (small models) or chat (capable models).",
        "Только для приложения: auto, transcript (малые модели) или chat (сильные модели).",
    ),
    "app.read_ahead": (
        "Have the model server read the chat while you type (Sparring's model service, a local llama-server).",
        "Пусть сервер модели читает чат, пока вы печатаете (сервис модели Sparring, локальный llama-server).",
    ),
    "app.options_for_app": (
        "--sign-in, --backend, --model, --base-url and --framing before a command are for the app only: "
        "give --backend and --model after the command, or set SPARRING_* settings.",
        "--sign-in, --backend, --model, --base-url и --framing перед командой действуют только для приложения: "
        "укажите --backend и --model после команды или задайте настройки SPARRING_*.",
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
    "manage.name": ("name", "название"),
    "templates.text": ("text", "текст"),
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
    "templates.help": (
        "The team's macro library, for grading imported chats: import, list.",
        "Библиотека макросов команды для оценки импортированных чатов: import, list.",
    ),
    "templates.import.help": (
        "Replace a macro library with the macros in a CSV (columns name, text) or YAML file. A reply that is one of "
        "them, or one with only the customer's details pasted in, is marked canned_answer when chats are imported.",
        "Заменить библиотеку макросов макросами из файла CSV (колонки name, text) или YAML. Ответ, который совпадает "
        "с макросом или отличается от него только данными клиента, при импорте чатов отмечается как canned_answer.",
    ),
    "templates.list.help": ("List the macros that apply to a group.", "Показать макросы, действующие для группы."),
    "templates.file": ("A CSV or YAML file of macros.", "Файл макросов в CSV или YAML."),
    "templates.group": (
        "The group whose library it is (default: the one every group shares).",
        "Группа, чья это библиотека (по умолчанию — общая для всех групп).",
    ),
    "templates.imported": (
        "{count} macro(s) now make up the {scope} library.",
        "Библиотека «{scope}» теперь состоит из макросов: {count}.",
    ),
    "templates.shared": ("shared", "общая"),
    "templates.none": (
        "No macros yet: add some with `sparring templates import FILE`.",
        "Макросов пока нет: добавьте их командой `sparring templates import ФАЙЛ`.",
    ),
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
    "export.title": ("Session report", "Отчёт о сессии"),
    "export.no_scenario": ("free conversation", "свободный разговор"),
    "export.trainee": ("Trainee", "Стажёр"),
    "export.date": ("Date", "Дата"),
    "export.duration": ("Duration", "Длительность"),
    "export.mode": ("Mode", "Режим"),
    "export.customer": ("Customer", "Клиент"),
    "export.backend": ("Customer played by", "Клиента играет"),
    "export.session": ("Session", "Сессия"),
    "export.status": ("Status", "Статус"),
    "export.mode.practice": ("practice", "тренировка"),
    "export.mode.assessment": ("assessment", "аттестация"),
    "export.not_graded": ("Not graded yet.", "Оценки пока нет."),
    "export.critical_fail": ("a critical mark fails the session", "критичная отметка — незачёт"),
    "export.counts": ("to work on: {bad} · strengths: {good}", "над чем поработать: {bad} · сильные стороны: {good}"),
    "export.interruption": ("interrupted the customer", "перебивает клиента"),
    "export.ended": ("Session ended: {outcome}", "Сессия завершена: {outcome}"),
    "export.fact": ("fact", "факт"),
    "export.mark_number": ("mark {number}", "отметка {number}"),
    "export.review.agree": ("{name} agrees with this mark", "{name} соглашается с отметкой"),
    "export.review.override": ("{name} overrides this mark", "{name} отменяет отметку"),
    "export.response.acknowledge": ("{name} acknowledges this mark", "{name} принимает отметку"),
    "export.response.dispute": ("{name} disputes this mark", "{name} оспаривает отметку"),
    "export.overridden": ("overridden", "отменена"),
    "export.comments": ("Mentor comments", "Комментарии наставников"),
    "export.on_turn": ("on event #{seq}", "к событию #{seq}"),
    "export.other_marks": ("Marks on other events", "Отметки к другим событиям"),
    "export.unknown_format": (
        "unknown export format '{fmt}' (choose from: {choices})",
        "неизвестный формат выгрузки '{fmt}' (варианты: {choices})",
    ),
    "export.help": (
        "Write a stored session's report: html (one printable file), md, json or csv.",
        "Выгрузить отчёт о сессии: html (один файл для печати), md, json или csv.",
    ),
    "export.format_help": ("html, md, json or csv.", "html, md, json или csv."),
    "export.out": ("Write to this file instead of standard output.", "Записать в файл вместо стандартного вывода."),
    "export.written": ("Written to {path}", "Записано в {path}"),
    "progress.help": (
        "Progress per trainee and skill, and per group: levels, tiers, pass rates, frequent mistakes.",
        "Прогресс по стажёрам и навыкам и по группам: уровни, ступени, доля зачётов, частые ошибки.",
    ),
    "progress.group": (
        "Only this group (one you mentor; staff: any).",
        "Только эта группа (которую вы ведёте как наставник; персоналу — любая).",
    ),
    "progress.trainee": ("Only this trainee.", "Только этот стажёр."),
    "progress.not_group_mentor": ("you do not mentor group '{name}'", "вы не наставник группы '{name}'"),
    "progress.not_in_group": (
        "'{name}' is not a trainee of group '{group}'",
        "'{name}' не стажёр группы '{group}'",
    ),
    "progress.empty": ("No trainees to show.", "Некого показать."),
    "progress.trainee_title": (
        "{name} · level {level} ({tier}) · {attempts} graded sessions · pass rate {rate}",
        "{name} · уровень {level} ({tier}) · оценённых сессий: {attempts} · доля зачётов {rate}",
    ),
    "progress.no_sessions": ("{name} · no graded sessions yet", "{name} · оценённых сессий пока нет"),
    "progress.member_of": ("Groups: {names}", "Группы: {names}"),
    "progress.group_title": (
        "Group {name} · level {level} ({tier}) · {trainees} trainees · {attempts} graded sessions · pass rate {rate}",
        "Группа {name} · уровень {level} ({tier}) · стажёров: {trainees} · оценённых сессий: {attempts} · "
        "доля зачётов {rate}",
    ),
    "progress.skills": ("Skills (mean level of the trainees)", "Навыки (средний уровень стажёров)"),
    "progress.ranking": ("Trainees by overall level", "Стажёры по общему уровню"),
    "progress.weakest": ("Weakest skills: {skills}", "Слабые навыки: {skills}"),
    "progress.hard": ("Scenarios that beat most trainees", "Сценарии, которые не дались большинству стажёров"),
    "progress.no_hard": ("No scenario beat most trainees.", "Нет сценариев, которые не дались большинству стажёров."),
    "progress.top_marks": ("Frequent mistakes: {marks}", "Частые ошибки: {marks}"),
    "progress.no_mistakes": ("Frequent mistakes: none", "Частые ошибки: нет"),
    "progress.col.skill": ("Skill", "Навык"),
    "progress.col.level": ("Level", "Уровень"),
    "progress.col.tier": ("Tier", "Ступень"),
    "progress.col.last": ("Last", "Последний"),
    "progress.col.trend": ("Last 10", "Последние 10"),
    "progress.col.rank": ("Rank", "Место"),
    "progress.col.trainee": ("Trainee", "Стажёр"),
    "progress.col.sessions": ("Sessions", "Сессии"),
    "progress.col.pass_rate": ("Pass rate", "Доля зачётов"),
    "progress.col.scenario": ("Scenario", "Сценарий"),
    "progress.col.tried": ("Tried", "Пробовали"),
    "progress.col.passed": ("Passed", "Сдали"),
    "calibration.help": (
        "How far mentors trust the grader, per mark kind: agreement, precision, the most overridden rules and the "
        "marks mentors disagree on.",
        "Насколько наставники доверяют оценщику по видам отметок: согласие, точность, чаще всего отменяемые правила "
        "и отметки, по которым наставники расходятся.",
    ),
    "calibration.group": (
        "Only the sessions of this group's members (a group you mentor; staff: any).",
        "Только сессии участников этой группы (которую вы ведёте как наставник; персоналу — любой).",
    ),
    "calibration.empty": (
        "No reviewed marks yet: mentors review marks with sparring review SESSION MARK.",
        "Проверенных отметок пока нет: наставники проверяют отметки командой sparring review SESSION MARK.",
    ),
    "calibration.title": (
        "Mentors' verdicts on the grader's marks (the latest grade of each session)",
        "Вердикты наставников по отметкам оценщика (последняя оценка каждой сессии)",
    ),
    "calibration.legend": (
        "Agreement: the share of mentors' verdicts that agree. Precision: the share of reviewed marks no mentor "
        "overrode.",
        "Согласие: доля вердиктов наставников «согласен». Точность: доля проверенных отметок, которые не отменил "
        "ни один наставник.",
    ),
    "calibration.col.kind": ("Mark", "Отметка"),
    "calibration.col.reviewed": ("Reviewed", "Проверено"),
    "calibration.col.agreed": ("Agreed", "Подтверждено"),
    "calibration.col.overridden": ("Overridden", "Отменено"),
    "calibration.col.agreement": ("Agreement", "Согласие"),
    "calibration.col.precision": ("Precision", "Точность"),
    "calibration.most_overridden": ("Most overridden", "Чаще всего отменяют"),
    "calibration.overridden_kind": ("{kind}: {count} overridden", "{kind}: отменено {count}"),
    "calibration.example": ("session {session} · “{quote}” · {reason}", "сессия {session} · «{quote}» · {reason}"),
    "calibration.none_overridden": ("No mark has been overridden.", "Ни одна отметка не отменена."),
    "calibration.disagreements": ("Mentors disagree", "Наставники расходятся"),
    "calibration.no_disagreements": (
        "No mark that mentors disagree on.",
        "Нет отметок, по которым наставники расходятся.",
    ),
    "calibration.mark": ("session {session} · {kind} · “{quote}”", "сессия {session} · {kind} · «{quote}»"),
    "calibration.verdict.agree": ("{mentor} agrees", "{mentor} соглашается"),
    "calibration.verdict.override": ("{mentor} overrides", "{mentor} отменяет"),
    "progress.cap.pass_rate": (
        "passed {passed} of the last {count} sessions: at most {tier}",
        "сдано {passed} из последних {count} сессий: не выше уровня «{tier}»",
    ),
    "progress.cap.critical": (
        "{mark} (critical) in {count} of the last {total} sessions: at most {tier}",
        "{mark} (критично) в {count} из последних {total} сессий: не выше уровня «{tier}»",
    ),
    "progress.cap.recent_critical": (
        "{mark} (critical) in one of the last 3 sessions: at most {tier}",
        "{mark} (критично) в одной из последних 3 сессий: не выше уровня «{tier}»",
    ),
    "progress.held": ("Held down: {why}", "Ограничено: {why}"),
    "next.key": ("Next", "Дальше"),
    "next.line": ("Practise next (n): {title}. {reason}.", "Что потренировать (n): {title}. {reason}."),
    "next.none": (
        "You have passed every scenario {count} times: ask your mentor for a new one.",
        "Все сценарии сданы по {count} раза: попросите у наставника новый.",
    ),
    "next.first": (
        "Start with the easiest case (difficulty {difficulty})",
        "Начните с самого простого случая (сложность {difficulty})",
    ),
    "next.overdue": (
        "Assigned to you and overdue since {due}",
        "Назначено вам, срок прошёл {due}",
    ),
    "next.assigned": ("Assigned to you, due {due}", "Назначено вам, срок {due}"),
    "next.weakest": ("Your {skill} skill is {tier} ({level})", "Навык «{skill}» — {tier} ({level})"),
    "next.works.asking": ("this case has {count} facts to find", "в этом случае нужно выяснить фактов: {count}"),
    "next.works.listening": (
        "the customer gives {count} details up front: don't ask for them again",
        "клиент сразу сообщает деталей: {count} — не переспрашивайте",
    ),
    "next.works.personalization": (
        "the customer gives {count} details to use in your replies",
        "клиент сообщает деталей, которые стоит использовать в ответах: {count}",
    ),
    "next.works.empathy": (
        "this customer is {temperament}, intensity {intensity}/10",
        "клиент: {temperament}, сила {intensity}/10",
    ),
    "next.works.resolution": (
        "{count} wrong turns to avoid on the way to a fix",
        "неверных шагов на пути к решению: {count}",
    ),
    "tier.novice": ("novice", "новичок"),
    "tier.developing": ("developing", "осваивает"),
    "tier.proficient": ("proficient", "уверенный"),
    "tier.expert": ("expert", "эксперт"),
    "store.not_abandoned": (
        "session '{id}' is {status}, not abandoned: only an abandoned session can be resumed",
        "сессия '{id}' в состоянии «{status}», а не прервана: продолжить можно только прерванную",
    ),
    "practice.resume": (
        "Resume an abandoned session instead of starting one (see sparring sessions --status abandoned).",
        "Продолжить прерванную сессию вместо новой (см. sparring sessions --status abandoned).",
    ),
    "practice.resumed": ("Resuming session {id}.", "Продолжаем сессию {id}."),
    "practice.scenario_or_resume": ("give either --scenario or --resume", "укажите либо --scenario, либо --resume"),
    "tui.who": ("{name} · {role}", "{name} · роль: {role}"),
    "tui.practice": ("Practise", "Тренировка"),
    "tui.assessment": ("Assessment", "Аттестация"),
    "tui.resume": ("Continue", "Продолжить"),
    "tui.quit": ("Quit", "Выход"),
    "tui.temperament": ("Temperament", "Темперамент"),
    "tui.language": ("Language", "Язык"),
    "tui.difficulty": ("Difficulty", "Сложность"),
    "tui.domain": ("Domain", "Сфера"),
    "tui.scenario": ("Scenario", "Сценарий"),
    "tui.scenarios": ("Scenarios", "Сценарии"),
    "tui.recent": ("Recent sessions", "Недавние сессии"),
    "tui.no_scenarios": ("No scenario matches these filters.", "Нет сценариев с такими фильтрами."),
    "tui.not_resumable": ("Only an abandoned session can be continued.", "Продолжить можно только прерванную сессию."),
    "tui.end": ("End session", "Завершить"),
    "tui.hint": ("Hint", "Подсказка"),
    "tui.cancel": ("Stop the customer", "Остановить клиента"),
    "tui.cancelled": ("The customer's line was stopped; it is your turn.", "Реплика клиента остановлена; ваш ход."),
    "tui.draft": (
        "Your reply… (Enter sends, even while the customer types)",
        "Ваш ответ… (Enter — отправить, даже пока клиент печатает)",
    ),
    "tui.patience": ("Customer's patience", "Терпение клиента"),
    "tui.facts": ("Facts learned", "Что удалось узнать"),
    "tui.no_facts": ("Nothing yet: ask.", "Пока ничего: спрашивайте."),
    "tui.elapsed": ("Time", "Время"),
    "tui.interrupted": ("you interrupted", "вы перебили"),
    "tui.error": ("Something went wrong", "Что-то пошло не так"),
    "tui.hint_empathy": (
        "The customer is upset and has not heard that you get it: acknowledge it, in their words.",
        "Клиент расстроен и не услышал, что вы его понимаете: признайте это его же словами.",
    ),
    "tui.hint_ask": (
        "You still need to find out something important. Try: {question}",
        "Вы ещё не выяснили важное. Спросите, например: {question}",
    ),
    "tui.hint_resolve": (
        "You know enough: offer a concrete solution and say when it will happen.",
        "Вы знаете достаточно: предложите конкретное решение и срок.",
    ),
    "mood.calm": ("calm", "спокоен"),
    "mood.annoyed": ("annoyed", "раздражён"),
    "mood.upset": ("upset", "расстроен"),
    "mood.furious": ("furious", "в ярости"),
    "temperament.angry": ("angry", "злой"),
    "temperament.confused": ("confused", "растерянный"),
    "temperament.sarcastic": ("sarcastic", "саркастичный"),
    "temperament.anxious": ("anxious", "тревожный"),
    "temperament.impatient": ("impatient", "нетерпеливый"),
    "temperament.passive": ("passive", "пассивный"),
    "tui.next_mark": ("Next mark", "След. отметка"),
    "tui.previous_mark": ("Previous mark", "Пред. отметка"),
    "tui.acknowledge": ("Acknowledge", "Принять"),
    "tui.dispute": ("Dispute", "Оспорить"),
    "tui.dispute_why": ("Why do you disagree with this mark?", "Почему вы не согласны с отметкой?"),
    "tui.retry": ("Retry", "Ещё раз"),
    "tui.home": ("Home", "Домой"),
    "tui.settings": ("Settings", "Настройки"),
    "tui.save": ("Save", "Сохранить"),
    "tui.saved": ("Saved to {path}", "Сохранено в {path}"),
    "tui.backend": ("Who writes the customer", "Кто пишет за клиента"),
    "tui.backend.local": ("Local model (llama.cpp)", "Локальная модель (llama.cpp)"),
    "tui.backend.openai": ("OpenAI-compatible server", "OpenAI-совместимый сервер"),
    "tui.backend.scripted": ("Authored lines only", "Только авторские реплики"),
    "tui.model": (
        "Model: a GGUF path (local) or a model name (server)",
        "Модель: путь к GGUF (локально) или имя (сервер)",
    ),
    "tui.model_hint": ("empty: the embedded SmolLM2-135M", "пусто: встроенная SmolLM2-135M"),
    "tui.base_url": ("Server URL", "Адрес сервера"),
    "tui.key_set": (
        "An API key is set in the environment (never saved).",
        "Ключ API задан в окружении (никогда не сохраняется).",
    ),
    "tui.key_unset": (
        "No API key in the environment: set SPARRING_API_KEY or OPENAI_API_KEY if the server needs one.",
        "Ключа API в окружении нет: задайте SPARRING_API_KEY или OPENAI_API_KEY, если серверу он нужен.",
    ),
    "tui.theme": ("Theme", "Тема"),
    "tui.coach": ("Coach", "Тренер"),
    "report.coach": (
        "Live coach: warned before sending about {warned} of these faults, did not catch {missed}; "
        "{fixed} pieces of advice taken before sending.",
        "Тренер: предупредил до отправки о {warned} из этих ошибок, не заметил {missed}; "
        "советов учтено до отправки: {fixed}.",
    ),
    "report.coach_warned": (
        "The coach warned about this before it was sent.",
        "Тренер предупреждал об этом до отправки.",
    ),
    "report.coach_missed": ("The coach did not catch this.", "Тренер этого не заметил."),
    "tui.coach_on": (
        "The coach is on: advice appears under your draft",
        "Тренер включён: советы появятся под черновиком",
    ),
    "tui.coach_off": ("The coach is off", "Тренер выключен"),
    "tui.coach_more": ("(+{count} more)", "(ещё {count})"),
    "tui.coach_setting": (
        "Live coach under the draft in practice mode (ctrl+g)",
        "Подсказки тренера под черновиком в режиме практики (ctrl+g)",
    ),
    "serve.help": (
        "Serve the app in a web browser (textual-serve) for a team; every tab opens on the sign-in screen.",
        "Открыть приложение в браузере (textual-serve) для команды; каждая вкладка начинается с экрана входа.",
    ),
    "serve.public_url": (
        "The address people open, when a reverse proxy serves the page (e.g. https://sparring.example.com).",
        "Адрес, который открывают люди, когда страницу отдаёт обратный прокси (например, https://sparring.example.com).",
    ),
    "serve.host": (
        "Address to listen on (keep 127.0.0.1 unless you trust the network).",
        "Адрес для прослушивания (оставьте 127.0.0.1, если не доверяете сети).",
    ),
    "serve.port": ("Port to listen on.", "Порт."),
    "mentor.title": ("Mentoring", "Наставничество"),
    "mentor.open": ("Mentoring", "Наставничество"),
    "mentor.groups": ("Groups", "Группы"),
    "mentor.trainees": ("Trainees", "Стажёры"),
    "mentor.sessions": ("Sessions of {name}", "Сессии: {name}"),
    "mentor.no_sessions": ("Sessions", "Сессии"),
    "mentor.chart": ("Skills over sessions", "Навыки по сессиям"),
    "mentor.session_index": ("session", "сессия"),
    "mentor.no_groups": ("You see no groups yet.", "Вам пока не видна ни одна группа."),
    "mentor.no_trainee": ("Pick a trainee on the left.", "Выберите стажёра слева."),
    "mentor.weakest": ("Group's weakest skills: {skills}", "Слабые навыки группы: {skills}"),
    "mentor.no_weakest": ("Group's weakest skills: none yet", "Слабые навыки группы: пока нет"),
    "mentor.col.session": ("Session", "Сессия"),
    "mentor.col.mode": ("Mode", "Режим"),
    "mentor.col.status": ("Status", "Статус"),
    "mentor.review": ("Review", "Разбор"),
    "mentor.back": ("Back", "Назад"),
    "mentor.agree": ("Agree", "Согласен"),
    "mentor.override": ("Override", "Отменить"),
    "mentor.comment": ("Comment", "Комментарий"),
    "mentor.export": ("Export HTML", "Экспорт HTML"),
    "mentor.all_kinds": ("All marks", "Все отметки"),
    "mentor.override_why": ("Why do you override this mark?", "Почему вы отменяете отметку?"),
    "mentor.comment_prompt": ("Your comment on this turn:", "Ваш комментарий к реплике:"),
    "mentor.pick_mark": ("Highlight a mark first.", "Сначала выберите отметку."),
    "mentor.reviewed": ("Review saved.", "Разбор сохранён."),
    "mentor.commented": ("Comment saved.", "Комментарий сохранён."),
    "mentor.exported": ("Exported to {path}", "Экспортировано в {path}"),
    "mentor.export_failed": ("Export failed: {error}", "Экспорт не удался: {error}"),
    "trainer.open": ("Trainer", "Тренер"),
    "trainer.title": ("Trainer's workbench", "Мастерская тренера"),
    "trainer.back": ("Back", "Назад"),
    "trainer.reload": ("Reload", "Перезагрузить"),
    "trainer.voice": ("Voice", "Голос"),
    "trainer.dry_run": ("Dry run", "Прогон"),
    "trainer.files": ("Catalogue", "Каталог"),
    "trainer.personas": ("Personas", "Персонажи"),
    "trainer.scenarios": ("Scenarios", "Сценарии"),
    "trainer.valid": ("No problems in this file.", "В этом файле ошибок нет."),
    "trainer.problems": ("{count} problem(s):", "Проблем: {count}:"),
    "trainer.unreadable": ("(cannot read this file)", "(не удалось прочитать файл)"),
    "trainer.reloaded": ("Catalogue reloaded: {problems} problem(s).", "Каталог перезагружен, проблем: {problems}."),
    "trainer.pick_persona": (
        "Select a valid persona (or a scenario) to hear its voice.",
        "Выберите исправного персонажа (или сценарий), чтобы услышать его голос.",
    ),
    "trainer.pick_scenario": (
        "Select a valid scenario to dry-run it.",
        "Выберите исправный сценарий, чтобы его прогнать.",
    ),
    "trainer.voice_title": ("Voice of {name} ({persona})", "Голос: {name} ({persona})"),
    "trainer.no_line": ("(no line in this language)", "(нет реплики на этом языке)"),
    "trainer.choose_bot": ("Dry-run “{scenario}” with which bot?", "Каким ботом прогнать «{scenario}»?"),
    "trainer.bot.good": ("good: asks, empathises, resolves", "good: спрашивает, сочувствует, решает"),
    "trainer.bot.canned": ("canned: answers with templates", "canned: отвечает шаблонами"),
    "trainer.bot.interrupter": ("interrupter: answers mid-turn", "interrupter: перебивает клиента"),
    "trainer.bot.hasty": ("hasty: proposes a fix before asking", "hasty: предлагает решение, не спросив"),
    "trainer.cancel": ("Cancel", "Отмена"),
    "trainer.try": ("Try a line", "Проверить реплику"),
    "trainer.try_placeholder": (
        "Type an agent line and press Enter: how would the customer understand it?",
        "Напишите реплику оператора и нажмите Enter: как её поймёт клиент?",
    ),
    "trainer.try_title": ("How the customer understands it", "Как это поймёт клиент"),
    "trainer.draft": ("Draft from a chat", "Черновик из чата"),
    "trainer.draft_title": (
        "Draft a scenario from a real chat (personal data is replaced with fakes)",
        "Черновик сценария из настоящего чата (личные данные заменяются вымышленными)",
    ),
    "trainer.draft_chat": ("Chat export: a CSV or JSON file", "Выгрузка чата: файл CSV или JSON"),
    "trainer.draft_out": ("Write the scenario to (Enter: {path})", "Куда записать сценарий (Enter: {path})"),
    "trainer.drafted": (
        "Draft written to {path}: fill in its {todos} TODO field(s).",
        "Черновик записан в {path}: заполните TODO-поля ({todos}).",
    ),
    "draft.help": (
        "Draft a scenario from one real chat export (CSV or JSON, as `sparring import` reads them). The opening, "
        "the facts the customer volunteered and the ones the agent had to ask for, the agent's canned replies, the "
        "customer's temperament and what the grader found become a scenario YAML; names, emails, phone and card "
        "numbers, addresses and order numbers are replaced with consistent fakes first. The right fix and the traps "
        "are left as TODO values: `sparring validate` names each one until it is filled in.",
        "Сделать черновик сценария из одной выгрузки настоящего чата (CSV или JSON, как у `sparring import`). "
        "Начало разговора, факты, которые клиент назвал сам, и те, о которых пришлось спросить, шаблонные ответы "
        "оператора, темперамент клиента и найденные оценщиком ошибки становятся YAML-файлом сценария; имена, почта, "
        "номера телефонов и карт, адреса и номера заказов сначала заменяются согласованными вымышленными. Верное "
        "решение и ловушки остаются значениями TODO: `sparring validate` называет каждое, пока его не заполнят.",
    ),
    "draft.chat": ("The chat export: CSV or JSON.", "Выгрузка чата: CSV или JSON."),
    "draft.out": (
        "The scenario file to write (its name becomes the scenario id).",
        "Файл сценария для записи (его имя станет id сценария).",
    ),
    "draft.force": ("Overwrite the output file if it exists.", "Перезаписать файл, если он уже есть."),
    "draft.lang": (
        "The chat's language, if detection gets it wrong.",
        "Язык чата, если он определился неверно.",
    ),
    "draft.exists": (
        "{path} already exists; choose another file or add --force to overwrite it",
        "{path} уже существует; выберите другой файл или добавьте --force, чтобы перезаписать его",
    ),
    "draft.is_folder": (
        "{path} is a folder; give the scenario file to write, e.g. {path}/my-case.yaml",
        "{path} — это папка; укажите файл сценария, например {path}/my-case.yaml",
    ),
    "draft.no_customer": (
        "no customer messages to draft a scenario from (roles: customer, client, user…)",
        "нет сообщений клиента, из которых можно сделать сценарий (роли: клиент, покупатель, абонент…)",
    ),
    "draft.written": (
        "Draft written to {path}: {todos} TODO field(s) to fill in, {replaced} personal detail(s) replaced with "
        "fakes. Then run: sparring validate {path}",
        "Черновик записан в {path}: заполните TODO-поля ({todos}); личных данных заменено вымышленными: "
        "{replaced}. Затем запустите: sparring validate {path}",
    ),
    "draft.todo.domain": (
        "TODO: the business area (telecom, delivery, banking, retail, education…)",
        "TODO: сфера бизнеса (telecom, delivery, banking, retail, education…)",
    ),
    "draft.todo.match": (
        "TODO: phrases that mean the agent offered the right fix",
        "TODO: фразы, которые означают, что оператор предложил верное решение",
    ),
    "draft.todo.example": (
        "TODO: how a good agent would offer the right fix, in full",
        "TODO: как хороший оператор предложил бы верное решение, целиком",
    ),
    "draft.todo.trap_match": (
        "TODO: phrases of advice that ignores what the customer said (or delete this trap)",
        "TODO: фразы совета, который не учитывает сказанное клиентом (или удалите эту ловушку)",
    ),
    "draft.todo.trap_why": (
        "TODO: why that advice is wrong for this customer",
        "TODO: почему этот совет не подходит этому клиенту",
    ),
    "draft.yaml.header": (
        "Drafted by `sparring draft` from a real chat. Names, emails, phone and card numbers, addresses and\n"
        "order numbers in it are fakes, the same fake for the same value throughout.",
        "Черновик `sparring draft` из настоящего чата. Имена, почта, номера телефонов и карт, адреса и\n"
        "номера заказов в нём вымышленные, одно и то же значение заменено везде одинаково.",
    ),
    "draft.yaml.fill": (
        "Write every TODO value (sparring validate lists them), and check the guesses below.",
        "Заполните все значения TODO (их перечисляет sparring validate) и проверьте догадки ниже.",
    ),
    "draft.yaml.persona": (
        "A guess from the customer's messages: {evidence}",
        "Догадка по сообщениям клиента: {evidence}",
    ),
    "draft.yaml.volunteered": (
        "What the customer said without being asked.",
        "Что клиент сказал, не дожидаясь вопроса.",
    ),
    "draft.yaml.hidden": (
        "What the customer said only after the agent asked (required: asked before the agent acted).",
        "Что клиент сказал только после вопроса оператора (required: спросили до того, как что-то сделать).",
    ),
    "draft.yaml.resolutions": (
        "The right fix: only a person can say what it is.",
        "Верное решение: его может назвать только человек.",
    ),
    "draft.yaml.ending": (
        "In the real chat the agent settled on: {quote}",
        "В настоящем чате оператор остановился на таком: {quote}",
    ),
    "draft.yaml.traps": (
        "Advice that ignores what this customer said.",
        "Совет, который не учитывает сказанное этим клиентом.",
    ),
    "draft.yaml.wrong": (
        "The grader marked this advice in the real chat: {quote}",
        "Оценщик отметил этот совет в настоящем чате: {quote}",
    ),
    "draft.yaml.templates": (
        "Replies the grader marked as canned in the real chat.",
        "Ответы, которые оценщик отметил в настоящем чате как шаблонные.",
    ),
    "draft.label.tried": ("what they already tried", "что клиент уже сделал"),
    "draft.label.been": ("where they have already been", "куда клиент уже обращался"),
    "draft.briefing": (
        "A customer writes in about the problem in their first messages. Find out what you need before you offer "
        "a fix, and acknowledge how they feel.",
        "Клиент пишет о проблеме в первых сообщениях. Выясните всё нужное, прежде чем предлагать решение, и "
        "покажите, что понимаете его чувства.",
    ),
    "draft.notes.intro": (
        "Drafted from a real chat; the names and numbers in it are fakes.",
        "Черновик из настоящего чата; имена и номера в нём вымышленные.",
    ),
    "draft.notes.fault": ("{kind} at message {seq}: {why}", "{kind} в сообщении {seq}: {why}"),
    "draft.notes.faults": (
        "In the real chat the grader found: {faults}.",
        "В настоящем чате оценщик нашёл: {faults}.",
    ),
    "draft.notes.clean": (
        "In the real chat the grader found no faults.",
        "В настоящем чате оценщик не нашёл ошибок.",
    ),
    "draft.notes.strengths": ("What went well: {kinds}.", "Что получилось: {kinds}."),
    "trainer.dry_run_title": (
        "Dry run: {bot} on {scenario} (not saved)",
        "Прогон: {bot} в сценарии {scenario} (не сохраняется)",
    ),
    "tui.palette.home": ("Home: pick a scenario", "Главная: выбрать сценарий"),
    "tui.palette.home_help": ("Scenarios, briefing, recent sessions", "Сценарии, брифинг, недавние сессии"),
    "tui.palette.mentor_help": (
        "Groups, progress per skill, review graded sessions",
        "Группы, прогресс по навыкам, разбор оценённых сессий",
    ),
    "tui.palette.trainer_help": (
        "Personas and scenarios, validation errors, dry-runs with bots",
        "Персонажи и сценарии, ошибки проверки, прогоны с ботами",
    ),
    "tui.palette.settings_help": ("Model backend, language, theme", "Модель, язык, тема"),
    "tui.palette.quit_help": ("Leave Sparring", "Выйти из Sparring"),
    "tui.identity": ("Who am I", "Кто я"),
    "tui.identity_prompt": ("Act as (a person's name):", "Действовать от имени (имя человека):"),
    "tui.identity_password": (
        "Password for {name}. Staff: leave it empty to look as {name} without changing anything.",
        "Пароль {name}. Сотрудники: оставьте пустым, чтобы только посмотреть глазами {name}, ничего не меняя.",
    ),
    "tui.identity_password_only": ("Password for {name}:", "Пароль {name}:"),
    "tui.viewing": (
        "{name} · {role} · viewed by {viewer}, read-only",
        "{name} · роль: {role} · смотрит {viewer}, только чтение",
    ),
    "tui.signin.title": ("Sign in", "Вход"),
    "tui.signin.intro": (
        "Your name and password. First time here? Add the invitation code your admin gave you, and the password "
        "you type becomes yours.",
        "Имя и пароль. Впервые здесь? Добавьте код приглашения от администратора — введённый пароль станет вашим.",
    ),
    "tui.signin.name": ("Name", "Имя"),
    "tui.signin.password": ("Password", "Пароль"),
    "tui.signin.code": ("Invitation code (first time only)", "Код приглашения (только в первый раз)"),
    "tui.signin.button": ("Sign in", "Войти"),
    "tui.signin.checking": ("Checking…", "Проверяем…"),
    "signin.failed": (
        "Wrong name or password, or {count} failed tries in a row: then the name waits {minutes} min.",
        "Неверное имя или пароль, или {count} неудачных попыток подряд: тогда имя ждёт {minutes} мин.",
    ),
    "signin.bad_code": (
        "That invitation code is wrong, already used or expired.",
        "Код приглашения неверен, уже использован или истёк.",
    ),
    "signin.too_short": (
        "A password needs at least {count} characters.",
        "Пароль должен быть не короче {count} символов.",
    ),
    "signin.admin_only": (
        "{name} may not do this: only admins can.",
        "{name} не может этого сделать: это доступно только администраторам.",
    ),
    "store.view_only": (
        "{viewer} is looking as {name}: nothing can be changed.",
        "{viewer} смотрит глазами {name}: изменять ничего нельзя.",
    ),
    "sign_in.help": (
        "Open the app on the sign-in screen (as `sparring serve` always does).",
        "Открыть приложение с экрана входа (как всегда делает `sparring serve`).",
    ),
    "person.passwd.help": (
        "Set a person's password (admins; anyone may set their own). Asks twice, or reads one line with "
        "--password-stdin.",
        "Задать пароль человеку (администраторы; свой может задать каждый). Спрашивает дважды или читает одну "
        "строку при --password-stdin.",
    ),
    "person.passwd.stdin": (
        "Read the password from the first line of standard input.",
        "Прочитать пароль из первой строки стандартного ввода.",
    ),
    "person.passwd.prompt": ("New password for {name}", "Новый пароль для {name}"),
    "person.passwd.repeat": ("The same password again", "Тот же пароль ещё раз"),
    "person.passwd.mismatch": ("The two passwords differ; nothing changed.", "Пароли не совпали; ничего не изменено."),
    "person.passwd.empty": ("No password on standard input.", "Во входном потоке нет пароля."),
    "person.passwd.done": ("Password set for {name}.", "Пароль для {name} задан."),
    "person.invite.help": (
        "Make a one-time invitation code; the person redeems it by choosing a password (admins).",
        "Создать одноразовый код приглашения; человек активирует его, выбрав пароль (администраторы).",
    ),
    "person.invite.days": ("Days the code stays valid.", "Сколько дней код действует."),
    "person.invite.done": (
        "Invitation for {name}, valid until {until}. It is shown only now:",
        "Приглашение для {name}, действует до {until}. Код показывается только сейчас:",
    ),
    "person.redeem.help": (
        "Redeem an invitation code by choosing a password.",
        "Активировать код приглашения, выбрав пароль.",
    ),
    "person.redeem.code": ("Invitation code", "Код приглашения"),
    "person.redeem.done": ("{name} can sign in now.", "{name} теперь может входить."),
    "audit.help": (
        "List sign-ins, identity switches and password changes, newest first (admins).",
        "Показать входы, смены пользователя и смены паролей, сначала новые (администраторы).",
    ),
    "audit.limit": ("How many entries to show.", "Сколько записей показать."),
    "audit.empty": ("No entries yet.", "Записей пока нет."),
    "audit.columns": ("When|By|What|About", "Когда|Кто|Что|О ком"),
    "serve.no_sign_in": (
        "Refusing to serve on {host}: nobody can sign in yet. Give someone a password (`sparring person passwd "
        "NAME`) or an invitation (`sparring person invite NAME`) first, or serve on 127.0.0.1.",
        "Отказ запускаться на {host}: пока никто не может войти. Сначала задайте кому-нибудь пароль (`sparring "
        "person passwd ИМЯ`) или приглашение (`sparring person invite ИМЯ`), либо запустите на 127.0.0.1.",
    ),
    "xapi.help": (
        "Graded sessions as xAPI statements: print them, or send them to a learning record store.",
        "Оценённые сессии как xAPI-выражения: показать или отправить в хранилище учебных записей (LRS).",
    ),
    "xapi.statement.help": (
        "Print the xAPI statement of a graded session as JSON.",
        "Показать xAPI-выражение оценённой сессии в JSON.",
    ),
    "xapi.push.help": (
        "Send graded sessions to the LRS in SPARRING_LRS_URL: yours, a mentor's groups', or all for staff. "
        "Those already sent are skipped; a push that stopped goes on from there.",
        "Отправить оценённые сессии в LRS из SPARRING_LRS_URL: свои, наставнику — своих групп, "
        "тренерам — все. Уже отправленные пропускаются; прерванная отправка продолжается с места остановки.",
    ),
    "xapi.since": (
        "Only sessions that ended on or after this date (YYYY-MM-DD, or an ISO date and time).",
        "Только сессии, завершённые в эту дату или позже (ГГГГ-ММ-ДД или дата и время ISO).",
    ),
    "xapi.format": ("text or json (a summary).", "text или json (сводка)."),
    "xapi.dry_run": (
        "Print the statements that would be sent, and send nothing.",
        "Показать выражения, которые были бы отправлены, ничего не отправляя.",
    ),
    "xapi.batch": ("Statements per request.", "Выражений в одном запросе."),
    "xapi.resend": (
        "Send again those already sent (the LRS keeps one of each).",
        "Отправить заново и уже отправленные (LRS хранит каждое в одном экземпляре).",
    ),
    "xapi.bad_since": (
        "--since '{value}' is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM",
        "--since '{value}' — не дата: укажите ГГГГ-ММ-ДД или ГГГГ-ММ-ДДTЧЧ:ММ",
    ),
    "xapi.not_graded": (
        "session '{id}' has no grade yet: finish it, or grade it, first",
        "у сессии '{id}' ещё нет оценки: сначала завершите или оцените её",
    ),
    "xapi.no_url": (
        "no learning record store: set SPARRING_LRS_URL to its xAPI endpoint, e.g. https://lrs.example.org/xAPI",
        "не задано хранилище учебных записей: укажите в SPARRING_LRS_URL его xAPI-адрес, "
        "например https://lrs.example.org/xAPI",
    ),
    "xapi.progress": ("{sent}/{total} sent to {url}", "{sent}/{total} отправлено в {url}"),
    "xapi.pushed": (
        "Sent {sent} statement(s) to {url} ({already} of them it held already); {before} sent before.",
        "Отправлено выражений: {sent} в {url} (из них уже были там: {already}); отправлено ранее: {before}.",
    ),
    "xapi.nothing": (
        "Nothing new to send to {url}; {before} sent before.",
        "Нового для отправки в {url} нет; отправлено ранее: {before}.",
    ),
    "xapi.dry_run_done": (
        "{count} of {graded} graded session(s) would be sent; nothing was sent.",
        "Было бы отправлено {count} из {graded} оценённых сессий; ничего не отправлено.",
    ),
    "lrs.unreachable": (
        "cannot reach the learning record store at {url}: {reason}",
        "хранилище учебных записей {url} недоступно: {reason}",
    ),
    "lrs.reason.refused": ("connection refused; is it running?", "соединение отклонено; оно запущено?"),
    "lrs.reason.no_host": ("no such host", "нет такого хоста"),
    "lrs.reason.timeout": ("no answer in time", "нет ответа вовремя"),
    "lrs.credentials": (
        "the learning record store at {url} refused the credentials (HTTP {status}): check SPARRING_LRS_USERNAME "
        "and SPARRING_LRS_PASSWORD, or SPARRING_LRS_TOKEN",
        "хранилище учебных записей {url} не приняло учётные данные (HTTP {status}): проверьте "
        "SPARRING_LRS_USERNAME и SPARRING_LRS_PASSWORD или SPARRING_LRS_TOKEN",
    ),
    "lrs.not_xapi": (
        "{url} is not an xAPI statements resource (HTTP {status}): set SPARRING_LRS_URL to the LRS's xAPI "
        "endpoint, e.g. https://lrs.example.org/xAPI",
        "{url} — не ресурс xAPI-выражений (HTTP {status}): укажите в SPARRING_LRS_URL xAPI-адрес LRS, "
        "например https://lrs.example.org/xAPI",
    ),
    "lrs.refused": (
        "the learning record store at {url} refused the statements (HTTP {status}): {detail}",
        "хранилище учебных записей {url} отклонило выражения (HTTP {status}): {detail}",
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
    "list.col.id": ("id", "код"),
    "list.col.temperament": ("temperament", "темперамент"),
    "list.col.intensity": ("intensity", "сила"),
    "list.col.languages": ("languages", "языки"),
    "list.col.language": ("language", "язык"),
    "list.col.domain": ("domain", "область"),
    "list.col.difficulty": ("difficulty", "сложность"),
    "list.col.persona": ("persona", "персонаж"),
    "list.col.title": ("title", "название"),
    "list.col.steps": ("steps", "шагов"),
    "format.help": (
        "Output: table for people, csv or json for scripts (the same rows, English keys).",
        "Вывод: table для людей, csv или json для скриптов (те же строки, ключи на английском).",
    ),
    "format.bad": (
        "unknown output '{output}' (choose from: {choices})",
        "неизвестный формат вывода '{output}' (варианты: {choices})",
    ),
    "unplaced.col.count": ("times", "раз"),
    "unplaced.col.question": ("question", "вопрос"),
    "unplaced.col.where": ("asked in", "где задан"),
    "list.paths": ("Paths", "Программы"),
    # -- assignments, paths and certificates
    "assign.help": (
        "Assign a scenario or a path to a group, or to one trainee of it, with a due date (mentors and staff).",
        "Назначить сценарий или программу группе или одному её стажёру, со сроком (наставники и тренеры).",
    ),
    "assign.target": ("Scenario id or path id.", "Id сценария или программы."),
    "assign.group": ("The group to assign it to.", "Группа, которой назначить."),
    "assign.trainee": (
        "Only this trainee of the group (default: every trainee).",
        "Только этому стажёру группы (по умолчанию всем стажёрам).",
    ),
    "assign.due": ("Due date, YYYY-MM-DD.", "Срок, ГГГГ-ММ-ДД."),
    "assign.pass": (
        "Pass mark, 0-100 (default: the scenario's; a path's steps have their own).",
        "Проходной балл, 0-100 (по умолчанию — сценария; у шагов программы свой).",
    ),
    "assign.attempts": (
        "Graded sessions allowed (per step of a path); default: no limit.",
        "Сколько оценённых сессий разрешено (на каждый шаг программы); по умолчанию без ограничений.",
    ),
    "assign.mode": (
        "practice or assessment: the mode the sessions must be played in.",
        "practice или assessment: в каком режиме нужно пройти сессии.",
    ),
    "assign.bad_date": ("'{value}' is not a date: write YYYY-MM-DD", "'{value}' — не дата: пишите ГГГГ-ММ-ДД"),
    "assign.unknown": (
        "'{target}' is neither a scenario nor a path (scenarios: {scenarios}; paths: {paths})",
        "'{target}' — не сценарий и не программа (сценарии: {scenarios}; программы: {paths})",
    ),
    "assign.done": (
        "Assignment {id}: {target} for {who}, due {due}.",
        "Задание {id}: {target} для {who}, срок {due}.",
    ),
    "assign.whole_group": ("group {group}", "группы {group}"),
    "assign.denied": (
        "{name} may not assign to group '{group}': trainers and admins may, and the group's mentors.",
        "{name} не может назначать группе '{group}': это могут тренеры, администраторы и наставники группы.",
    ),
    "assign.bad_pass": ("pass mark {value}: give 0 to 100", "проходной балл {value}: укажите от 0 до 100"),
    "assign.bad_attempts": ("attempts {value}: give 1 or more", "попыток {value}: укажите 1 или больше"),
    "assign.bad_mode": ("mode '{mode}': use one of {modes}", "режим '{mode}': используйте {modes}"),
    "assign.path_pass": (
        "a path's pass marks are those of its steps: drop --pass",
        "проходные баллы программы заданы в её шагах: уберите --pass",
    ),
    "assign.path_mode": (
        "path '{path}' counts only assessments: use --mode assessment",
        "программа '{path}' засчитывает только аттестации: укажите --mode assessment",
    ),
    "assign.no_steps": ("'{target}' has no steps", "у '{target}' нет шагов"),
    "assign.no_such": ("no assignment {id}", "нет задания {id}"),
    "assign.cancelled": ("assignment {id} is cancelled", "задание {id} отменено"),
    "assignments.help": (
        "The assignments you see, with each trainee's status (a group × assignment grid).",
        "Задания, которые вам видны, со статусом каждого стажёра (таблица группа × задание).",
    ),
    "assignments.group": ("Only this group.", "Только эта группа."),
    "assignments.trainee": ("Only this trainee.", "Только этот стажёр."),
    "assignments.cancelled": ("Also list cancelled assignments.", "Показать и отменённые задания."),
    "assignments.empty": ("No assignments.", "Заданий нет."),
    "assignments.group_title": ("Group {name}", "Группа {name}"),
    "assignments.list_title": ("Assignments", "Задания"),
    "assignments.col.id": ("No.", "Ном."),
    "assignments.col.group": ("Group", "Группа"),
    "assignments.col.target": ("Scenario or path", "Сценарий или программа"),
    "assignments.col.who": ("For", "Кому"),
    "assignments.col.due": ("Due", "Срок"),
    "assignments.col.mode": ("Mode", "Режим"),
    "assignments.col.pass": ("Pass", "Порог"),
    "assignments.col.attempts": ("Attempts", "Попытки"),
    "assignments.col.state": ("State", "Состояние"),
    "assignments.everyone": ("everyone", "все"),
    "assignments.steps_pass": ("per step", "по шагам"),
    "assignments.open": ("open", "действует"),
    "assignments.was_cancelled": ("cancelled {when}", "отменено {when}"),
    "assignment.help": ("Change or cancel an assignment.", "Изменить или отменить задание."),
    "assignment.id": ("The assignment's number.", "Номер задания."),
    "assignment.change.help": (
        "Change an assignment's due date, pass mark or attempts (what you do not give stays).",
        "Изменить срок, проходной балл или число попыток задания (не указанное остаётся).",
    ),
    "assignment.cancel.help": ("Cancel an assignment.", "Отменить задание."),
    "assignment.changed": ("Assignment {id} changed.", "Задание {id} изменено."),
    "assignment.cancelled_now": ("Assignment {id} cancelled.", "Задание {id} отменено."),
    "astatus.not_started": ("not started", "не начато"),
    "astatus.in_progress": ("in progress", "в процессе"),
    "astatus.passed": ("passed", "сдано"),
    "astatus.failed": ("failed", "не сдано"),
    "astatus.overdue": ("overdue", "просрочено"),
    "astatus.left": ("{count} left", "осталось {count}"),
    "astatus.steps": ("step {done}/{total}", "шаг {done}/{total}"),
    "paths.title": ("Paths", "Программы"),
    "paths.steps": ("{done}/{total} steps", "шагов: {done}/{total}"),
    "paths.next": ("next: {scenario}", "дальше: {scenario}"),
    "paths.col.path": ("Path", "Программа"),
    "paths.col.progress": ("Progress", "Прогресс"),
    "paths.col.certificate": ("Certificate", "Сертификат"),
    "medal.gold": ("gold", "золото"),
    "medal.silver": ("silver", "серебро"),
    "medal.bronze": ("bronze", "бронза"),
    "medal.completed": ("completed", "пройдена"),
    "certificate.help": (
        "Write a printable certificate (one HTML file) for a path a trainee has passed.",
        "Записать сертификат для печати (один HTML-файл) за пройденную стажёром программу.",
    ),
    "certificate.path": ("The path's id.", "Id программы."),
    "certificate.trainee": ("Whose certificate (default: yours).", "Чей сертификат (по умолчанию ваш)."),
    "certificate.out": ("The HTML file to write.", "HTML-файл для записи."),
    "certificate.written": ("Certificate written to {path}", "Сертификат записан в {path}"),
    "certificate.none": (
        "{name} has not passed every step of path '{path}' yet",
        "{name} ещё не прошёл(а) все шаги программы '{path}'",
    ),
    "certificate.page_title": ("Certificate", "Сертификат"),
    "certificate.heading": ("Certificate of completion", "Сертификат о прохождении"),
    "certificate.awarded": ("This certifies that", "Настоящим подтверждается, что"),
    "certificate.for_path": ("has passed every step of the path", "прошёл(а) все шаги программы"),
    "certificate.score": ("Mean score", "Средний балл"),
    "certificate.date": ("Earned on", "Дата"),
    "certificate.path_id": ("Path", "Программа"),
    "certificate.sessions": ("Sessions", "Сессии"),
    "mode.practice": ("practice", "тренировка"),
    "mode.assessment": ("assessment", "аттестация"),
    "home.assigned": ("Assigned to you", "Вам назначено"),
    "home.col.assignment": ("Assignment", "Задание"),
    "home.col.due": ("Due", "Срок"),
    "home.col.status": ("Status", "Статус"),
    "home.col.left": ("Attempts left", "Осталось попыток"),
    "home.unlimited": ("no limit", "без ограничений"),
    "home.assignment_done": ("This assignment is done.", "Это задание уже выполнено."),
    "home.assignment_missing": (
        "Scenario '{scenario}' is not in your catalogue.",
        "Сценария '{scenario}' нет в вашем каталоге.",
    ),
    "mentor.grid": ("Assignments and paths", "Задания и программы"),
}


def language() -> str:
    """The interface language, in the settings' order: the environment, then config.toml, then English."""
    from simulator import paths

    chosen = os.environ.get("SPARRING_LANGUAGE")
    if chosen:  # read first and without the settings: --help must not wait for pydantic
        return chosen if chosen in LANGUAGES else "en"
    return _configured(paths.config_file())


@cache
def _configured(config: Path) -> str:
    """The settings' language when the environment does not set it, read once per config file."""
    from pydantic import ValidationError

    from simulator.settings import load_settings

    try:
        return load_settings().language
    except (ValidationError, ValueError):  # a broken config.toml or setting: the command that needs it says so
        return "en"


def reload() -> None:
    """Read the language again: config.toml has changed."""
    _configured.cache_clear()


def t(key: str, lang: str | None = None, **values: object) -> str:
    english, russian = MESSAGES[key]
    text = russian if (lang or language()) == "ru" else english
    return text.format(**values) if values else text
