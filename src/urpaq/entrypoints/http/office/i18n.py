"""The back office's words in Kazakh, Russian and English, added to the pages' messages
(`web/i18n.py: MESSAGES`) when the office is loaded."""

from __future__ import annotations

from urpaq.entrypoints.http.web import i18n


def _m(kk: str, ru: str, en: str) -> dict[str, str]:
    return {"kk": kk, "ru": ru, "en": en}


OFFICE_MESSAGES: dict[str, dict[str, str]] = {
    "office_title": _m("Оператордың кеңсесі", "Кабинет оператора", "Operator's office"),
    "office_nav": _m("Кеңсе бөлімдері", "Разделы кабинета", "Office sections"),
    "office_home": _m("Басты бет", "Главная", "Office home"),
    "office_footer": _m(
        "Жеке деректерді әрбір оқу журналға жазылады.",
        "Каждое обращение к персональным данным записывается в журнал.",
        "Every read of personal data is recorded in the audit log.",
    ),
    "office_persons": _m("Адамның ісі", "Дело человека", "A person's file"),
    "office_persons_text": _m(
        "ЖСН бойынша іздеу: тізілім жазбалары, мәртебе, ҚТ мен МЖ әр жолымен, төлемдер.",
        "Поиск по ИИН: записи реестра, статус, ЦТ и ЦН построчно, выплаты.",
        "Search by IIN: register records, status, TR and TS line by line, payouts.",
    ),
    "office_rejections": _m("Қабылданбаған жазбалар", "Отклонённые записи", "Rejected records"),
    "office_rejections_text": _m(
        "Әр импорттың қабылданбаған жазбалары, себебі бойынша сүзгі, CSV.",
        "Отклонённые записи каждого импорта, фильтр по причине, CSV.",
        "Rejected records of each import, filtered by reason, with CSV.",
    ),
    "office_payouts": _m("Ашық төлемдер", "Открытые выплаты", "Open payouts"),
    "office_payouts_text": _m(
        "Оператор бойынша ашық төлемдер мерзімдерімен, мерзімі өткен және қайтарылғандар.",
        "Открытые выплаты по операторам со сроками, просроченные и возвращённые.",
        "Open payouts by operator with their deadlines, overdue and returned ones.",
    ),
    "office_parameters": _m("Ұлттық Банктің деректері", "Данные Нацбанка", "National Bank inputs"),
    "office_parameters_text": _m(
        "Бір адам енгізеді, екіншісі бекітеді.",
        "Вводит один сотрудник, утверждает другой.",
        "Entered by one person, approved by another.",
    ),
    "office_closes": _m("Жылдық жабу", "Годовое закрытие", "Annual close"),
    "office_closes_text": _m(
        "Жабуды алдын ала есептеу және тексеру; жетекші іске қосады.",
        "Предварительный расчёт и проверка закрытия; запускает руководитель.",
        "Preview and check the close; a supervisor runs it.",
    ),
    "office_operators": _m(
        "Уәкілетті операторлар", "Уполномоченные операторы", "Authorised operators"
    ),
    "office_operators_text": _m(
        "Банктерді қосу, кілтін ауыстыру және кері қайтарып алу.",
        "Добавление банков, смена и отзыв ключа.",
        "Add banks, rotate and revoke their credentials.",
    ),
    "office_audit": _m("Аудит журналы", "Журнал аудита", "Audit log"),
    "office_audit_text": _m(
        "Кім нені және қашан оқыды немесе өзгертті; сүзгілер және CSV.",
        "Кто что и когда читал или менял; фильтры и CSV.",
        "Who read or changed what, and when; filters and CSV.",
    ),
    "role_clerk": _m("маман", "специалист", "clerk"),
    "role_supervisor": _m("жетекші", "руководитель", "supervisor"),
    "role_auditor": _m("аудитор", "аудитор", "auditor"),
    "office_sign_in": _m("Кеңсеге кіру", "Вход в кабинет", "Office sign-in"),
    "office_development_note": _m(
        "Әзірлеу режимі: тек осы компьютерден, құпиясөзсіз кіру.",
        "Режим разработки: вход без пароля, только с этого компьютера.",
        "Development mode: sign-in without a password, from this computer only.",
    ),
    "office_user": _m("Пайдаланушы", "Пользователь", "User"),
    "office_role": _m("Рөлі", "Роль", "Role"),
    "office_oidc_note": _m(
        "Кіру оператордың тіркелгісі арқылы жүргізіледі.",
        "Вход выполняется через учётную запись оператора.",
        "You sign in with the operator's account.",
    ),
    "office_sign_in_oidc": _m(
        "Оператордың тіркелгісімен кіру",
        "Войти через учётную запись оператора",
        "Sign in with the operator's account",
    ),
    "office_no_sign_in": _m(
        "Бұл серверде кеңсеге кіру бапталмаған.",
        "Вход в кабинет на этом сервере не настроен.",
        "Sign-in to the office is not set up on this server.",
    ),
    "office_refused": _m("Кіру мүмкін болмады", "Вход не выполнен", "Not signed in"),
    "office_problem_sign_in_not_here": _m(
        "Мұндай кіру бұл серверде немесе бұл мекенжайдан мүмкін емес.",
        "Такой вход невозможен на этом сервере или с этого адреса.",
        "This way of signing in is not available on this server or from this address.",
    ),
    "office_problem_form_expired": _m(
        "Форманың мерзімі өтті немесе ол басқа беттен келді. Бетті қайта ашыңыз.",
        "Форма устарела или пришла с другой страницы. Откройте страницу заново.",
        "The form has expired or came from another page. Open the page again.",
    ),
    "office_problem_sign_in_invalid": _m(
        "Пайдаланушы немесе рөл дұрыс емес.",
        "Неверный пользователь или роль.",
        "The user or the role is not valid.",
    ),
    "office_problem_sign_in_failed": _m(
        "Сәйкестендіру провайдері кіруді растамады.",
        "Провайдер идентификации не подтвердил вход.",
        "The identity provider did not confirm the sign-in.",
    ),
    "office_forbidden": _m("Рұқсат жоқ", "Нет доступа", "Not allowed"),
    "office_forbidden_text": _m(
        "«{role}» рөлі мұны істей алмайды.",
        "Роль «{role}» не может этого делать.",
        "The role “{role}” may not do this.",
    ),
    "office_welcome": _m(
        "Сіз {user} ретінде кірдіңіз ({role}).",
        "Вы вошли как {user} ({role}).",
        "You are signed in as {user} ({role}).",
    ),
    "office_open_file": _m("Істі ашу", "Открыть дело", "Open the file"),
    "office_person_file": _m("Адамның ісі", "Дело", "File"),
    "office_another_person": _m("Басқа адам", "Другой человек", "Another person"),
    "participant_since": _m("Қатысу жылы", "Участвует с", "Participates since"),
    "office_register_records": _m("Тізілім жазбалары", "Записи реестра", "Register records"),
    "office_effective": _m("Күшіне енген күні", "Действует с", "Effective"),
    "office_recorded": _m("Тіркелген күні", "Записано", "Recorded"),
    "office_region": _m("Өңір", "Регион", "Region"),
    "office_withdrawal": _m("Кері қайтарып алу", "Отзыв", "Withdrawal"),
    "office_withdraws": _m(
        "{record} жазбасын қайтарады", "отзывает {record}", "withdraws {record}"
    ),
    "office_withdrawn_by": _m(
        "{record} қайтарып алды", "отозвана записью {record}", "withdrawn by {record}"
    ),
    "office_first_close": _m(
        "Алғаш көрген жабу", "Впервые учтена закрытием", "First seen by close"
    ),
    "office_not_yet": _m("әлі жоқ", "ещё нет", "not yet"),
    "office_no_records": _m(
        "Тізілімде жазба жоқ.", "В реестре нет записей.", "The register has no records."
    ),
    "office_who_read": _m("Кім оқыды", "Кто читал", "Who read this person"),
    "office_at": _m("Уақыты", "Время", "At"),
    "office_actor": _m("Кім", "Кто", "Actor"),
    "office_action": _m("Әрекет", "Действие", "Action"),
    "office_outcome": _m("Нәтиже", "Результат", "Outcome"),
    "office_since": _m("Бастап", "С даты", "Since"),
    "office_show": _m("Көрсету", "Показать", "Show"),
    "office_events_found": _m(
        "{count} оқиға (ең көбі {limit}, жаңалары бірінші).",
        "{count} событий (не более {limit}, новые первыми).",
        "{count} events (at most {limit}, newest first).",
    ),
    "office_unknown_reason": _m(
        "«{reason}» деген себеп жоқ.", "Нет причины «{reason}».", "There is no reason “{reason}”."
    ),
    "office_batch": _m("Импорт", "Импорт", "Import"),
    "office_rejected_count": _m("{count} қабылданбады", "отклонено {count}", "{count} rejected"),
    "office_reason": _m("Себеп", "Причина", "Reason"),
    "office_reason_text": _m("Толығырақ", "Подробно", "In full"),
    "office_all_reasons": _m("Барлық себептер", "Все причины", "All reasons"),
    "office_by_reason": _m("Себептер бойынша", "По причинам", "By reason"),
    "office_rows": _m("Жолдар", "Строк", "Rows"),
    "office_line": _m("Жол", "Строка", "Line"),
    "office_no_rejections": _m(
        "Қабылданбаған жазбалар жоқ.", "Отклонённых записей нет.", "No rejected records."
    ),
    "office_today": _m("Бүгін: {today}", "Сегодня: {today}", "Today: {today}"),
    "office_overdue": _m(
        "Мерзімі өткен (күнделікті есеп айырысу қайтарады)",
        "Просроченные (ежедневный расчёт их вернёт)",
        "Overdue (the daily settlement returns them)",
    ),
    "office_payout": _m("Төлем", "Выплата", "Payout"),
    "office_operator": _m("Оператор", "Оператор", "Operator"),
    "office_due": _m("Растау мерзімі", "Подтвердить до", "Confirm by"),
    "office_none": _m("Жоқ.", "Нет.", "None."),
    "office_open_by_operator": _m(
        "Операторлар бойынша ашық төлемдер",
        "Открытые выплаты по операторам",
        "Open payouts by operator",
    ),
    "office_purpose": _m("Мақсаты", "Цель", "Purpose"),
    "office_requested": _m("Сұралған күні", "Запрошена", "Requested"),
    "office_returned": _m("Қайтарылғандар", "Возвращённые", "Returned"),
    "office_returned_on": _m("Қайтарылған күні", "Возвращена", "Returned on"),
    "office_person_payouts": _m("Төлемдер", "Выплаты", "Payouts"),
    "office_status": _m("Күйі", "Состояние", "State"),
    "record_born_citizen": _m("туғаннан азамат", "гражданин по рождению", "citizen by birth"),
    "record_citizenship_acquired": _m(
        "азаматтық алды", "гражданство приобретено", "citizenship acquired"
    ),
    "record_citizenship_lost": _m(
        "азаматтықтан айырылды", "гражданство утрачено", "citizenship lost"
    ),
    "record_citizenship_renounced": _m(
        "азаматтықтан бас тартты", "отказ от гражданства", "citizenship renounced"
    ),
    "record_died": _m("қайтыс болды", "смерть", "died"),
    "record_declared_dead": _m("қайтыс болды деп жарияланды", "объявлен умершим", "declared dead"),
    "record_record_annulled": _m("жазба жойылды", "запись аннулирована", "record annulled"),
    "record_data_updated": _m("деректер жаңартылды", "данные обновлены", "data updated"),
    "record_record_retracted": _m("жазбаны кері қайтару", "отзыв записи", "record withdrawn"),
}

i18n.MESSAGES.update(OFFICE_MESSAGES)


#: Four eyes on what moves money: the National Bank's inputs, the close, the operators.
MONEY_MESSAGES: dict[str, dict[str, str]] = {
    "office_tr_total": _m("ҚТ жиыны", "Сумма ЦТ", "TR total"),
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
    "office_per_child": _m("Бір балаға ҚТ", "ЦТ на ребёнка", "Per-child TR"),
    "office_forfeited": _m("Жойылған ҚТ", "Утраченные ЦТ", "Forfeited"),
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
        "Мақсатты жинақтарға аударылды", "Зачислено в целевые накопления", "TS credited"
    ),
    "office_as_of": _m("Тізілім күні", "Дата среза реестра", "As-of date"),
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
        "Жыл жабылды, тізілім күні {as_of}.",
        "Год закрыт по состоянию реестра на {as_of}.",
        "The year is closed, as of {as_of}.",
    ),
    "office_snapshot_too_early": _m(
        "Тізілім тым ерте алынды: {day} күнінен кейін алынуы керек.",
        "Срез реестра слишком ранний: он берётся после {day}.",
        "The register is seen too early: its snapshot is taken after {day}.",
    ),
    "office_late": _m(
        "Жабу мерзімінен кеш: мерзімі {due}.",
        "Закрытие позже срока: срок {due}.",
        "The close is dated after its due date, {due}.",
    ),
    "office_snapshot_after": _m(
        "Тізілім осы күннен кейін алынады",
        "Срез реестра берётся после",
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
    "office_operator": _m("Оператор", "Оператор", "Operator"),
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
        "Тізілім күні есепті жылдың аяғынан кейін болуы керек.",
        "Дата среза должна быть после конца отчётного года.",
        "The as-of date must be after the end of the reporting year.",
    ),
    "office_refusal_as_of_in_future": _m(
        "Тізілім күні бүгіннен кейін бола алмайды.",
        "Дата среза не может быть позже сегодняшнего дня.",
        "The as-of date cannot be after today.",
    ),
    "office_refusal_as_of_before_previous": _m(
        "Тізілім күні алдыңғы жабудың күнінен ерте бола алмайды.",
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
    "office_refusal_operator_revoked": _m(
        "Бұл оператор кері қайтарылған.", "Этот оператор отозван.", "This operator is revoked."
    ),
}

i18n.MESSAGES.update(MONEY_MESSAGES)
