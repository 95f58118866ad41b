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
        "ЖСН бойынша іздеу: тіркелім жазбалары, мәртебе, НТ мен НЖ әр жолымен, төлемдер.",
        "Поиск по ИИН: записи регистра населения, статус, ЦТ и ЦН построчно, выплаты.",
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
    "office_register_records": _m(
        "Тіркелім жазбалары", "Записи регистра населения", "Register records"
    ),
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
        "Тіркелімде жазба жоқ.", "В регистре населения нет записей.", "The register has no records."
    ),
    "office_who_read": _m("Кім оқыды", "Кто читал", "Who read this person"),
    "office_at": _m("Уақыты", "Время", "At"),
    "office_actor": _m("Кім", "Кто", "Actor"),
    "office_action": _m("Әрекет", "Действие", "Action"),
    "office_outcome": _m("Нәтиже", "Результат", "Outcome"),
    "office_since": _m("Бастап", "С даты", "Since"),
    "office_until": _m("Дейін", "По дату", "Until"),
    "office_show": _m("Көрсету", "Показать", "Show"),
    "office_events_found": _m(
        "{count} оқиға (ең көбі {limit}, жаңалары бірінші).",
        "{count} событий (не более {limit}, новые первыми).",
        "{count} events (at most {limit}, newest first).",
    ),
    "office_search_not_taken": _m(
        "Іздеу шарттары қабылданбады:", "Условия поиска не приняты:", "The search cannot be made:"
    ),
    "office_inputs_not_taken": _m(
        "Енгізілген мәндер қабылданбады:",
        "Введённые значения не приняты:",
        "The inputs cannot be taken:",
    ),
    "office_unknown_reason": _m(
        "«{reason}» деген себеп жоқ.", "Нет причины «{reason}».", "There is no reason “{reason}”."
    ),
    "office_unknown_batch": _m(
        "«{batch}» деген импорт жоқ.", "Нет импорта «{batch}».", "There is no import “{batch}”."
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
    "office_open_counts": _m(
        "Әр оператордың ашық төлемдері",
        "Открытые выплаты каждого оператора",
        "Each operator's open payouts",
    ),
    "office_count": _m("Саны", "Количество", "Count"),
    "office_first_due": _m(
        "Алғашқы растау мерзімі", "Первое подтвердить до", "First to confirm by"
    ),
    "office_overdue_count": _m("Мерзімі өткені", "Просрочено", "Overdue"),
    "office_rows_cut": _m(
        "{total} ішінен алғашқы {shown} көрсетілген.",
        "Показаны первые {shown} из {total}.",
        "The first {shown} of {total} are listed.",
    ),
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
    "payout_status_paid": _m("төленді", "выплачена", "paid"),
    "payout_status_confirmed": _m(
        "пайдалануы расталды", "использование подтверждено", "use confirmed"
    ),
    "payout_status_returned": _m("қайтарылды", "возвращена", "returned"),
    "payout_status_paid_to_heir": _m(
        "мұрагерге төленді", "выплачена наследнику", "paid to the heir"
    ),
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
