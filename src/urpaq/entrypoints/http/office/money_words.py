"""The back office's words for what moves money — the National Bank's inputs, the close,
the authorised operators — in Kazakh, Russian and English, added to the pages' messages
(`web/i18n.py: MESSAGES`) when the office is loaded, like `office/i18n.py`'s."""

from __future__ import annotations

from urpaq.entrypoints.http.office.i18n import _m
from urpaq.entrypoints.http.web import i18n

#: Four eyes on what moves money: the National Bank's inputs, the close, the operators.
MONEY_MESSAGES: dict[str, dict[str, str]] = {
    "office_tr_total": _m("НТ жиыны", "Сумма ЦТ", "TR total"),
    "office_ii_rate": _m("ИТ мөлшерлемесі", "Ставка ИД", "II rate"),
    "office_reference": _m("Дереккөз", "Источник", "Reference"),
    "office_entered": _m("Кім енгізді", "Кто ввёл", "Entered"),
    "office_entered_by": _m(
        "{actor} енгізді, {at}", "ввёл {actor}, {at}", "entered by {actor}, {at}"
    ),
    "office_approved_by": _m(
        "{actor} бекітті, {at}", "утвердил {actor}, {at}", "approved by {actor}, {at}"
    ),
    "office_set_from_command_line": _m(
        "әкімші командалық жолдан енгізді, {on}",
        "введено администратором из командной строки, {on}",
        "set by the administrator from the command line, {on}",
    ),
    "office_awaiting_approval": _m("Бекітуді күтуде", "Ждёт утверждения", "Awaiting approval"),
    "office_close_state": _m("Жабу", "Закрытие", "Close"),
    "office_closed": _m("жабылды", "закрыт", "closed"),
    "office_not_closed": _m("жабылмаған", "не закрыт", "not closed"),
    "office_no_parameters": _m(
        "Бұл жылдың деректері жоқ.", "Данных за этот год нет.", "No inputs for this year."
    ),
    "office_parameters_current": _m(
        "Жылдың қолданыстағы деректері", "Действующие данные года", "The year's parameters"
    ),
    "office_parameters_final": _m(
        "Жыл жабылды: оның деректері өзгермейді.",
        "Год закрыт: его данные окончательны.",
        "The year is closed: its inputs are final.",
    ),
    "office_close_waits": _m(
        "Бекітілмейінше немесе қабылданбайынша жылды жабу мүмкін емес.",
        "Пока данные не утверждены или не отклонены, закрытие года невозможно.",
        "Until these are approved or rejected, the year cannot be closed.",
    ),
    "office_another_approves": _m(
        "Бұл деректерді сіз енгіздіңіз: оларды басқа қызметкер бекітеді.",
        "Эти данные ввели вы: утверждает другой сотрудник.",
        "You entered these: another staff member approves them.",
    ),
    "office_approve": _m("Бекіту", "Утвердить", "Approve"),
    "office_reject": _m("Қабылдамау", "Отклонить", "Reject"),
    "office_enter_parameters": _m(
        "Жаңа деректер енгізу", "Ввести новые данные", "Enter new inputs"
    ),
    "office_submit_for_approval": _m(
        "Бекітуге жіберу", "Отправить на утверждение", "Submit for approval"
    ),
    "office_parameters_history": _m("Енгізілгендер тарихы", "История ввода", "What was entered"),
    "office_decision": _m("Шешім", "Решение", "Decision"),
    "office_decision_approved": _m("бекітілді", "утверждено", "approved"),
    "office_decision_rejected": _m("қабылданбады", "отклонено", "rejected"),
    "office_decision_superseded": _m(
        "жаңа деректермен ауыстырылды", "заменено новыми данными", "superseded by newer inputs"
    ),
    "office_all_years": _m("Барлық жылдар", "Все годы", "All years"),
    "office_parameters_entered": _m(
        "Деректер енгізілді және басқа қызметкердің бекітуін күтуде.",
        "Данные введены и ждут утверждения другим сотрудником.",
        "The inputs are entered and await another staff member's approval.",
    ),
    "office_parameters_approved": _m(
        "Деректер бекітілді: енді олар жылдың деректері.",
        "Данные утверждены и стали данными года.",
        "The inputs are approved: they are now the year's parameters.",
    ),
    "office_parameters_rejected": _m(
        "Деректер қабылданбады: жыл бұрынғы деректерін сақтайды.",
        "Данные отклонены: у года остаются прежние данные.",
        "The inputs are rejected: the year keeps what it had.",
    ),
    "office_participants": _m("Қатысушылар", "Участники", "Participants"),
    "office_per_child": _m("Бір балаға НТ", "ЦТ на ребёнка", "Per-child TR"),
    "office_forfeited": _m("Жойылған НТ", "Утраченные ЦТ", "Forfeited"),
    "office_annulled": _m("Күші жойылған", "Аннулировано", "Annulled"),
    "office_back_accruals": _m("Қосымша есептеулер", "Доначисления", "Back-accruals"),
    "office_residue": _m("Қалдық", "Остаток", "Residue"),
    "office_investment_income": _m(
        "Инвестициялық табыс", "Инвестиционный доход", "Investment income"
    ),
    "office_matured": _m(
        "Келесі жылы 18-ге толады", "Исполнится 18 в следующем году", "Turning 18"
    ),
    "office_ts_credited": _m(
        "Нысаналы жинақтарға аударылды", "Зачислено в целевые накопления", "TS credited"
    ),
    "office_as_of": _m("Тіркелім күні", "Дата среза регистра", "As-of date"),
    "office_due_on": _m("Мерзімі", "Срок", "Due on"),
    "office_on_time": _m("Мерзімінде", "В срок", "On time"),
    "office_yes": _m("иә", "да", "yes"),
    "office_no": _m("жоқ", "нет", "no"),
    "office_no_closes": _m("Әлі жабу жоқ.", "Закрытий ещё нет.", "No year is closed yet."),
    "office_next_close": _m("{year} жылын жабу", "Закрытие {year} года", "The close of {year}"),
    "office_close_of": _m("{year} жылды жабу", "Закрытие {year} года", "The close of {year}"),
    "office_preview": _m("алдын ала", "предварительно", "preview"),
    "office_preview_nothing_written": _m(
        "Алдын ала есептеу: жабу толық есептеліп, тексерілді, ештеңе жазылған жоқ.",
        "Предварительный расчёт: закрытие рассчитано и проверено полностью, ничего не записано.",
        "Preview: the whole close was computed and checked; nothing was written.",
    ),
    "office_closed_as_of": _m(
        "Жыл жабылды, тіркелім күні {as_of}.",
        "Год закрыт по состоянию регистра на {as_of}.",
        "The year is closed, as of {as_of}.",
    ),
    "office_snapshot_too_early": _m(
        "Тіркелім тым ерте алынды: {day} күнінен кейін алынуы керек.",
        "Срез регистра слишком ранний: он берётся после {day}.",
        "The register is seen too early: its snapshot is taken after {day}.",
    ),
    "office_late": _m(
        "Жабу мерзімінен кеш: мерзімі {due}.",
        "Закрытие позже срока: срок {due}.",
        "The close is dated after its due date, {due}.",
    ),
    "office_snapshot_after": _m(
        "Тіркелім осы күннен кейін алынады",
        "Срез регистра берётся после",
        "Register snapshot after",
    ),
    "office_close_it": _m("Жылды жабу", "Закрыть год", "Close the year"),
    "office_preview_close": _m(
        "Алдын ала есептеу (ештеңе жазылмайды)",
        "Предварительный расчёт (ничего не записывается)",
        "Preview (nothing is written)",
    ),
    "office_run_note": _m(
        "Жабу түпкілікті: есептелген сомалар есепке жазылады.",
        "Закрытие окончательно: рассчитанные суммы записываются в учёт.",
        "A close is final: its amounts are written to the ledger.",
    ),
    "office_run_close": _m("Жылды жабу", "Закрыть год", "Run the close"),
    "office_all_closes": _m("Барлық жабулар", "Все закрытия", "All closes"),
    "office_purposes": _m("Мақсаттары", "Цели", "Purposes"),
    "office_state": _m("Күйі", "Состояние", "State"),
    "office_scope_housing": _m("тұрғын үй", "жильё", "housing"),
    "office_scope_education": _m("білім", "образование", "education"),
    "office_scope_inheritance": _m("мұрагерлерге төлеу", "выплаты наследникам", "payouts to heirs"),
    "office_active": _m("белсенді", "активен", "active"),
    "office_revoked": _m("кері қайтарылды", "отозван", "revoked"),
    "office_rotate": _m("Кілтті ауыстыру", "Сменить ключ", "Rotate the credential"),
    "office_revoke": _m("Кері қайтарып алу", "Отозвать", "Revoke"),
    "office_no_operators": _m(
        "Тіркелген оператор жоқ.", "Операторы не зарегистрированы.", "No operator is registered."
    ),
    "office_add_operator": _m("Оператор қосу", "Добавить оператора", "Add an operator"),
    "office_operator_revoked": _m(
        "{name} кері қайтарылды: оның кілті енді жарамайды.",
        "Оператор {name} отозван: его ключ больше не действует.",
        "{name} is revoked: its credential no longer works.",
    ),
    "office_credential": _m("API кілті", "Ключ API", "API credential"),
    "office_operator_added": _m(
        "{name} тіркелді. Оның API кілті:",
        "Оператор {name} зарегистрирован. Его ключ API:",
        "{name} is registered. Its API credential:",
    ),
    "office_credential_rotated": _m(
        "{name} үшін жаңа кілт шығарылды; ескісі енді жарамайды:",
        "Для {name} выпущен новый ключ; старый больше не действует:",
        "A new credential for {name}; the old one no longer works:",
    ),
    "office_credential_once": _m(
        "Кілт тек бір рет көрсетіледі: оны қазір операторға қауіпсіз жолмен беріңіз. "
        "Жүйе тек оның дайджестін сақтайды.",
        "Ключ показывается один раз: передайте его оператору защищённым способом сейчас. "
        "Система хранит только его хеш.",
        "The credential is shown once: hand it to the operator securely now. "
        "Only its digest is kept.",
    ),
    "office_not_done": _m("Орындалмады", "Не выполнено", "Not done"),
    "office_refusal_other": _m(
        "Ережелер мұны қазір рұқсат етпейді.",
        "Правила сейчас этого не допускают.",
        "The rules do not allow this now.",
    ),
    "office_back": _m("Қайту", "Назад", "Back"),
    "office_refusal_year_closed": _m(
        "Жыл жабылды: оның деректері өзгермейді.",
        "Год закрыт: его данные окончательны.",
        "The year is closed: its inputs are final.",
    ),
    "office_refusal_same_person": _m(
        "Деректерді енгізген адам оларды бекіте алмайды: оларды басқа жетекші бекітеді.",
        "Тот, кто ввёл данные, не может их утвердить: утверждает другой руководитель.",
        "The one who entered the inputs cannot approve them: another supervisor does.",
    ),
    "office_refusal_nothing_awaiting": _m(
        "Бұл жылдың бекітуді күтетін деректері жоқ.",
        "Данных этого года, ждущих утверждения, нет.",
        "No inputs of this year await approval.",
    ),
    "office_refusal_proposal_changed": _m(
        "Бекітуді күтетін деректер өзгерді: бетті қайта қараңыз.",
        "Данные, ждущие утверждения, изменились: посмотрите страницу заново.",
        "The inputs awaiting approval changed: look at them again.",
    ),
    "office_refusal_invalid_date": _m(
        "Күн ЖЖЖЖ-АА-КК түрінде жазылуы керек.",
        "Дата должна быть в виде ГГГГ-ММ-ДД.",
        "The date must be written YYYY-MM-DD.",
    ),
    "office_refusal_before_programme": _m(
        "Бағдарлама 2023 жылы басталды.",
        "Программа началась в 2023 году.",
        "The programme began in 2023.",
    ),
    "office_refusal_out_of_order": _m(
        "Алдымен алдыңғы жыл жабылуы керек.",
        "Сначала должен быть закрыт предыдущий год.",
        "The previous year must be closed first.",
    ),
    "office_refusal_year_not_over": _m(
        "Тіркелім күні есепті жылдың аяғынан кейін болуы керек.",
        "Дата среза должна быть после конца отчётного года.",
        "The as-of date must be after the end of the reporting year.",
    ),
    "office_refusal_as_of_in_future": _m(
        "Тіркелім күні бүгіннен кейін бола алмайды.",
        "Дата среза не может быть позже сегодняшнего дня.",
        "The as-of date cannot be after today.",
    ),
    "office_refusal_as_of_before_previous": _m(
        "Тіркелім күні алдыңғы жабудың күнінен ерте бола алмайды.",
        "Дата среза не может быть раньше даты предыдущего закрытия.",
        "The as-of date cannot be before the previous close's.",
    ),
    "office_refusal_no_parameters": _m(
        "Бұл жылға Ұлттық Банктің бекітілген деректері жоқ.",
        "Утверждённых данных Нацбанка за этот год нет.",
        "This year has no approved National Bank inputs.",
    ),
    "office_refusal_parameters_awaiting_approval": _m(
        "Жылдың деректері бекітуді күтуде: басқа қызметкер бекітпейінше немесе "
        "қабылдамайынша жабу мүмкін емес.",
        "Данные года ждут утверждения: пока другой сотрудник их не утвердит или не "
        "отклонит, закрытие невозможно.",
        "The year's inputs await approval: until another staff member approves or rejects "
        "them, the year cannot be closed.",
    ),
    "office_refusal_no_participants": _m(
        "Бұл жылы қатысушылар жоқ.", "В этом году нет участников.", "Nobody participates."
    ),
    "office_refusal_pot_short": _m(
        "Қосымша есептеулер жылдың қорынан асады.",
        "Доначисления превышают фонд года.",
        "The back-accruals exceed the year's pot.",
    ),
    "office_refusal_per_child_under_a_cent": _m(
        "Жылдың қоры әр қатысушыға бір центтен аз береді: ҰБ деректеріндегі TR сомасын тексеріңіз.",
        "Фонд года даёт каждому участнику меньше цента: проверьте сумму TR в данных Нацбанка.",
        "The year's pot gives each participant less than a cent: check the TR total of the "
        "National Bank's inputs.",
    ),
    "office_refusal_close_contended": _m(
        "Жабу кезінде басқа жазбалар оны бірнеше рет басып озды: қайталап көріңіз.",
        "Во время закрытия его несколько раз опередили другие записи: повторите.",
        "Other writes overtook the close several times: try again.",
    ),
    "office_refusal_invalid_operator": _m(
        "Оператордың атауы немесе мақсаттары қабылданбады.",
        "Название или цели оператора не приняты.",
        "The operator's name or purposes cannot be taken.",
    ),
    "office_refusal_operator_exists": _m(
        "Мұндай оператор тіркелген.",
        "Такой оператор уже зарегистрирован.",
        "This operator is already registered.",
    ),
    "office_refusal_unknown_operator": _m(
        "Мұндай оператор жоқ.", "Такого оператора нет.", "There is no such operator."
    ),
    "office_refusal_credential_replaced": _m(
        "Бұл бет ашылғаннан бері кілт ауыстырылды: сонда берілген кілт күшінде қалады.",
        "Ключ уже сменили после открытия этой страницы: выданный тогда ключ остаётся в силе.",
        "The credential was replaced since this page was shown: the one issued then stays.",
    ),
    "office_refusal_operator_revoked": _m(
        "Бұл оператор кері қайтарылған.", "Этот оператор отозван.", "This operator is revoked."
    ),
}

i18n.MESSAGES.update(MONEY_MESSAGES)
