"""The pages' words in Kazakh, Russian and English.

Every key exists in every language (`tests/test_web.py` checks); `{name}` placeholders
are filled by `text`.  Kazakh is the state language and comes first in the switch.
"""

from __future__ import annotations

from urpaq.entrypoints.http.web.i18n_statement import STATEMENT_MESSAGES
from urpaq.entrypoints.http.web.i18n_statistics import STATISTICS_MESSAGES

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}

MESSAGES: dict[str, dict[str, str]] = {
    "site_name": {
        "kk": "Ұлттық қор — балаларға",
        "ru": "Национальный фонд — детям",
        "en": "National Fund for Children",
    },
    "skip_to_content": {
        "kk": "Негізгі мазмұнға өту",
        "ru": "Перейти к содержанию",
        "en": "Skip to content",
    },
    "language": {"kk": "Тіл", "ru": "Язык", "en": "Language"},
    "nav_home": {"kk": "Басты бет", "ru": "Главная", "en": "Home"},
    "nav_main": {"kk": "Негізгі мәзір", "ru": "Основное меню", "en": "Main menu"},
    # What a visitor quotes when they call the operator about an error.
    "request_id": {"kk": "Сұрау нөмірі", "ru": "Номер запроса", "en": "Request number"},
    "nav_lookup": {
        "kk": "Баланың қатысуын тексеру",
        "ru": "Проверить участие ребёнка",
        "en": "Check a child's participation",
    },
    "nav_statement": {
        "kk": "Менің үзінді-көшірмем",
        "ru": "Моя выписка",
        "en": "My statement",
    },
    "nav_statistics": {"kk": "Статистика", "ru": "Статистика", "en": "Statistics"},
    "title_error": {"kk": "Қате", "ru": "Ошибка", "en": "Error"},
    "home_title": {
        "kk": "«Ұлттық қор — балаларға» бағдарламасы",
        "ru": "Программа «Национальный фонд — детям»",
        "en": "The National Fund for Children programme",
    },
    "home_intro": {
        "kk": "Жыл сайын Ұлттық қордың орташаландырылған инвестициялық табысының жартысы"
        " Қазақстанның"
        " барлық бала-азаматтарына тең бөлінеді және олардың шоттарына нысаналы талаптар"
        " ретінде есептеледі. 18 жасқа толған жылы жинақталған сома АҚШ долларындағы нысаналы"
        " жинақтарға айналады және тұрғын үйге немесе білім алуға жұмсалады.",
        "ru": "Каждый год половина усреднённого инвестиционного дохода Национального фонда"
        " делится поровну между всеми детьми — гражданами Казахстана и начисляется на их"
        " счета как целевые требования. В год совершеннолетия накопленная сумма становится"
        " целевыми накоплениями в долларах США, которые тратятся на жильё или образование.",
        "en": "Every year half of the National Fund's averaged investment income is split"
        " equally among all child citizens of Kazakhstan and credited to them as target"
        " requirements. In the year a person turns 18 the balance becomes target savings"
        " in US dollars, to be spent on housing or education.",
    },
    "lookup_title": {
        "kk": "Баланың бағдарламаға қатысуын тексеру",
        "ru": "Проверить участие ребёнка в программе",
        "en": "Check whether a child participates",
    },
    "lookup_intro": {
        "kk": "Баланың ЖСН-ін енгізіңіз. Біз бала қай есепті жылдан бастап қатысатынын және"
        " оған барлығы қанша есептелгенін көрсетеміз — бала туралы басқа ештеңе жоқ.",
        "ru": "Введите ИИН ребёнка. Мы покажем, с какого отчётного года ребёнок участвует"
        " в программе и сколько ему начислено, — и ничего больше о ребёнке.",
        "en": "Enter the child's IIN. We show the reporting year from which the child"
        " participates and how much has been credited — nothing else about the child.",
    },
    "iin_label": {
        "kk": "ЖСН (12 цифр)",
        "ru": "ИИН (12 цифр)",
        "en": "IIN (12 digits)",
    },
    "iin_hint": {
        "kk": "ЖСН баланың туу туралы куәлігінде көрсетілген.",
        "ru": "ИИН указан в свидетельстве о рождении ребёнка.",
        "en": "The IIN is on the child's birth certificate.",
    },
    "lookup_button": {"kk": "Тексеру", "ru": "Проверить", "en": "Check"},
    "privacy_note": {
        "kk": "ЖСН сілтемеде көрсетілмейді және сақталмайды; әр тексеру заң талабы бойынша"
        " тіркеледі.",
        "ru": "ИИН не попадает в адрес страницы и не кэшируется; каждая проверка"
        " регистрируется, как того требует закон.",
        "en": "The IIN never appears in the page address and is not cached; every check is"
        " recorded, as the law requires.",
    },
    "result_title": {
        "kk": "Бала бағдарламаға қатысады",
        "ru": "Ребёнок участвует в программе",
        "en": "The child participates in the programme",
    },
    "participates_since": {
        "kk": "Қатысу басталған есепті жыл",
        "ru": "Участвует с отчётного года",
        "en": "Participates from reporting year",
    },
    "total_credited": {
        "kk": "Барлығы есептелді (инвестициялық табысты қоса)",
        "ru": "Всего начислено (с инвестиционным доходом)",
        "en": "Total credited (investment income included)",
    },
    "as_of_close": {
        "kk": "{year} есепті жылының қорытындысы бойынша",
        "ru": "по итогам {year} отчётного года",
        "en": "after the close of reporting year {year}",
    },
    "projection_title": {
        "kk": "18 жасқа дейін қанша жиналуы мүмкін — болжам",
        "ru": "Сколько может накопиться к 18 годам — оценка",
        "en": "What your child may have at 18 — an estimate",
    },
    "projection_intro": {
        "kk": "Бұл кепілдік емес, бағалау. Болашақ есептеулерді Ұлттық Банк жыл сайын"
        " жариялайды. Біз соңғы жарияланған параметрлерді {closes} бойы ({year} жылдың"
        " қорытындысына дейін) сақтадық және мөлшерлеме мен қатысушылар санының ауқымын"
        " көрсетеміз.",
        "ru": "Это оценка, а не обещание: будущие начисления Национальный Банк публикует"
        " каждый год. Мы продлили последние опубликованные параметры на {closes} (до"
        " итогов {year} года) и показываем диапазон ставок и числа участников.",
        "en": "This is an estimate, not a promise: the National Bank publishes each year's"
        " figures as they come. We carried the latest published parameters forward for"
        " {closes} (to the close of {year}) and show a range of rates and"
        " participant counts.",
    },
    # How many closes the estimate carries the parameters over, as the count needs its noun.
    "projection_closes_one": {"kk": "{n} жыл", "ru": "{n} год", "en": "{n} more close"},
    "projection_closes_few": {"kk": "{n} жыл", "ru": "{n} года", "en": "{n} more closes"},
    "projection_closes_many": {"kk": "{n} жыл", "ru": "{n} лет", "en": "{n} more closes"},
    "projection_low": {"kk": "Төмен", "ru": "Низкий", "en": "Low"},
    "projection_central": {"kk": "Орташа", "ru": "Средний", "en": "Central"},
    "projection_high": {"kk": "Жоғары", "ru": "Высокий", "en": "High"},
    "projection_case": {"kk": "Жағдай", "ru": "Сценарий", "en": "Case"},
    "projection_rate": {
        "kk": "Инвестициялық табыс мөлшерлемесі",
        "ru": "Ставка инвестиционного дохода",
        "en": "Investment income rate",
    },
    "projection_participants": {
        "kk": "Қатысушылар саны",
        "ru": "Число участников",
        "en": "Participants",
    },
    "projection_amount": {
        "kk": "18 жаста болжамды сома",
        "ru": "Оценка к 18 годам",
        "en": "Estimate at 18",
    },
    "projection_done": {
        "kk": "Бала осы жылдың қорытындысымен кәмелеттік жасқа толады.",
        "ru": "Ребёнок становится совершеннолетним по итогам этого года.",
        "en": "The child comes of age with this year's close.",
    },
    "not_found_title": {
        "kk": "Бұл ЖСН бойынша қатысушы табылмады",
        "ru": "Участник с этим ИИН не найден",
        "en": "No participant found for this IIN",
    },
    "not_found_body": {
        "kk": "Егер бала Қазақстан азаматы болса және 18 жасқа толмаса, оның жазбасы халық"
        " тіркелімінде жоқ болуы мүмкін. Баланың туу туралы куәлігімен жақын жердегі"
        " Халыққа қызмет көрсету орталығына (ХҚКО) жүгініңіз немесе 1414 нөміріне"
        " қоңырау шалыңыз. Егер адам 18 жасқа толса, ол өз үзінді-көшірмесін жүйеге"
        " кіргеннен кейін көре алады.",
        "ru": "Если ребёнок — гражданин Казахстана и ему нет 18 лет, его запись может"
        " отсутствовать в регистре населения. Обратитесь в ближайший Центр обслуживания"
        " населения (ЦОН) со свидетельством о рождении ребёнка или позвоните по номеру 1414."
        " Если человеку уже исполнилось 18 лет, он может увидеть свою выписку после входа.",
        "en": "If the child is a citizen of Kazakhstan under 18, their record may be missing"
        " from the population register. Visit a Public Service Centre (PSC) with the child's"
        " birth certificate, or call 1414. A person who has turned 18 can see their own"
        " statement after signing in.",
    },
    "invalid_iin_title": {
        "kk": "ЖСН дұрыс емес",
        "ru": "ИИН введён неверно",
        "en": "The IIN is not valid",
    },
    "iin_not_12_digits": {
        "kk": "ЖСН дәл 12 цифрдан тұруы керек.",
        "ru": "ИИН должен состоять ровно из 12 цифр.",
        "en": "An IIN has exactly 12 digits.",
    },
    "iin_bad_century": {
        "kk": "7-ші цифр (ғасыр мен жыныс) 1-ден 6-ға дейін болуы керек.",
        "ru": "7-я цифра (век и пол) должна быть от 1 до 6.",
        "en": "The 7th digit (century and sex) must be 1 to 6.",
    },
    "iin_bad_date": {
        "kk": "Алғашқы 6 цифр туған күн болуы керек (ЖЖААКК).",
        "ru": "Первые 6 цифр должны быть датой рождения (ГГММДД).",
        "en": "The first 6 digits must be a date of birth (YYMMDD).",
    },
    "iin_bad_check_digit": {
        "kk": "Соңғы (бақылау) цифр сәйкес келмейді — теру қатесін тексеріңіз.",
        "ru": "Последняя (контрольная) цифра не совпадает — проверьте, нет ли опечатки.",
        "en": "The last (check) digit does not match — please check for a typing mistake.",
    },
    "iin_never_issued": {
        "kk": "Мұндай алғашқы 11 цифрмен ЖСН берілмейді.",
        "ru": "ИИН с такими первыми 11 цифрами не выдаётся.",
        "en": "No IIN is issued with these first 11 digits.",
    },
    "too_many_title": {
        "kk": "Тым көп сұрау",
        "ru": "Слишком много запросов",
        "en": "Too many requests",
    },
    "too_many_body": {
        "kk": "Жеке деректерді қорғау үшін тексерулер саны шектелген. {seconds} секундтан кейін"
        " қайталап көріңіз.",
        "ru": "Чтобы защитить персональные данные, число проверок ограничено. Попробуйте"
        " снова через {seconds} с.",
        "en": "To protect personal data, checks are limited. Please try again in"
        " {seconds} seconds.",
    },
    "another_lookup": {
        "kk": "Басқа ЖСН тексеру",
        "ru": "Проверить другой ИИН",
        "en": "Check another IIN",
    },
    "sign_in_title": {
        "kk": "Үзінді-көшірмені көру үшін кіру",
        "ru": "Вход для просмотра выписки",
        "en": "Sign in to see your statement",
    },
    "sign_in_intro": {
        "kk": "Өз ЖСН-іңізді енгізіңіз; біз сәйкестендіру қызметі арқылы бір реттік код жібереміз.",
        "ru": "Введите свой ИИН; мы отправим одноразовый код через службу идентификации.",
        "en": "Enter your own IIN; we send a one-time code through the identity service.",
    },
    "sign_in_button": {"kk": "Код алу", "ru": "Получить код", "en": "Send me a code"},
    "code_title": {
        "kk": "Бір реттік кодты енгізіңіз",
        "ru": "Введите одноразовый код",
        "en": "Enter the one-time code",
    },
    "code_intro": {
        "kk": "Егер ЖСН тіркелген болса, код жіберілді. Ол 5 минут жарамды.",
        "ru": "Если ИИН зарегистрирован, код отправлен. Он действует 5 минут.",
        "en": "If the IIN is registered, a code has been sent. It is valid for 5 minutes.",
    },
    "code_label": {"kk": "Код (6 цифр)", "ru": "Код (6 цифр)", "en": "Code (6 digits)"},
    "code_button": {"kk": "Кіру", "ru": "Войти", "en": "Sign in"},
    "session_ended": {
        "kk": "Сеансыңыз аяқталды. Үзінді-көшірмені көру үшін қайта кіріңіз.",
        "ru": "Ваш сеанс завершён. Чтобы увидеть выписку, войдите снова.",
        "en": "Your session has ended. Sign in again to see your statement.",
    },
    "identity_unavailable": {
        "kk": "Қазір кіру мүмкін емес: сәйкестендіру қызметі жауап бермейді. Бірнеше минуттан"
        " кейін қайталап көріңіз.",
        "ru": "Вход сейчас недоступен: служба идентификации не отвечает. Попробуйте снова через"
        " несколько минут.",
        "en": "Signing in is unavailable right now: the identity service does not answer."
        " Please try again in a few minutes.",
    },
    "code_wrong": {
        "kk": "Код дұрыс емес немесе мерзімі өтті. Қайтадан кіріп көріңіз.",
        "ru": "Код неверен или истёк. Попробуйте войти снова.",
        "en": "The code is wrong or has expired. Please sign in again.",
    },
    "code_wrong_again": {
        "kk": "Код дұрыс емес. Тексеріп, қайта енгізіңіз; 5 қате кодтан немесе 5 минуттан"
        " кейін қайтадан кіру керек.",
        "ru": "Код неверен. Проверьте его и введите снова; после 5 неверных кодов или через"
        " 5 минут нужно войти заново.",
        "en": "The code is wrong. Check it and enter it again; after 5 wrong codes, or after"
        " 5 minutes, sign in again.",
    },
    "sign_in_again": {"kk": "Қайтадан кіру", "ru": "Войти заново", "en": "Sign in again"},
    "sign_out": {"kk": "Шығу", "ru": "Выйти", "en": "Sign out"},
    "statement_title": {
        "kk": "Менің үзінді-көшірмем",
        "ru": "Моя выписка",
        "en": "My statement",
    },
    "status": {"kk": "Мәртебе", "ru": "Статус", "en": "Status"},
    "status_participant": {"kk": "қатысушы", "ru": "участник", "en": "participant"},
    "status_matured": {
        "kk": "нысаналы жинақтар иесі",
        "ru": "владелец целевых накоплений",
        "en": "holder of target savings",
    },
    "status_forfeited": {
        "kk": "қатысу тоқтатылды",
        "ru": "участие прекращено",
        "en": "participation ended",
    },
    "status_deceased": {"kk": "қайтыс болды", "ru": "умер", "en": "deceased"},
    "status_annulled": {
        "kk": "жазба жойылды",
        "ru": "запись аннулирована",
        "en": "record annulled",
    },
    "status_unknown": {"kk": "белгісіз", "ru": "неизвестен", "en": "unknown"},
    "target_requirements": {
        "kk": "Нысаналы талаптар",
        "ru": "Целевые требования",
        "en": "Target requirements",
    },
    "target_savings": {
        "kk": "Нысаналы жинақтар",
        "ru": "Целевые накопления",
        "en": "Target savings",
    },
    "entries": {"kk": "Жазбалар", "ru": "Операции", "en": "Entries"},
    "account": {"kk": "Шот", "ru": "Счёт", "en": "Account"},
    "kind": {"kk": "Операция", "ru": "Операция", "en": "Entry"},
    "amount": {"kk": "Сома, USD", "ru": "Сумма, USD", "en": "Amount, USD"},
    "no_entries": {"kk": "Жазба жоқ.", "ru": "Операций нет.", "en": "No entries."},
    "kind_accrual": {"kk": "есептеу", "ru": "начисление", "en": "accrual"},
    "kind_investment_income": {
        "kk": "инвестициялық табыс",
        "ru": "инвестиционный доход",
        "en": "investment income",
    },
    "kind_back_accrual": {
        "kk": "қосымша есептеу",
        "ru": "доначисление",
        "en": "back-accrual",
    },
    "kind_restoration": {"kk": "қалпына келтіру", "ru": "восстановление", "en": "restoration"},
    "kind_forfeiture": {"kk": "тоқтату", "ru": "прекращение", "en": "forfeiture"},
    "kind_annulment": {"kk": "жою", "ru": "аннулирование", "en": "annulment"},
    "kind_maturity": {
        "kk": "нысаналы жинақтарға аудару",
        "ru": "перевод в целевые накопления",
        "en": "became target savings",
    },
    "kind_payout": {"kk": "төлем", "ru": "выплата", "en": "payout"},
    "kind_return": {"kk": "қайтару", "ru": "возврат", "en": "return"},
    "kind_expiry": {
        "kk": "зейнетақы шотына аудару",
        "ru": "перевод на пенсионный счёт",
        "en": "moved to pension account",
    },
    "kind_inheritance": {
        "kk": "мұрагерлерге төлем",
        "ru": "выплата наследникам",
        "en": "paid to heirs",
    },
    "year": {"kk": "Жыл", "ru": "Год", "en": "Year"},
    "page_not_found": {
        "kk": "Бет табылмады",
        "ru": "Страница не найдена",
        "en": "Page not found",
    },
    "footer": {
        "kk": "Бағдарлама ережелері: Бюджет кодексі, 62-бап 4-тармақ; 2023 жылғы 16 қарашадағы"
        " № 40-VIII Заң; Үкіметтің 2024 жылғы 18 қаңтардағы № 16 қаулысы (Қағидалар)."
        " Деректер заңмен қорғалған.",
        "ru": "Правила программы: Бюджетный кодекс, ст. 62 п. 4; Закон от 16 ноября 2023 года"
        " № 40-VIII; постановление Правительства от 18 января 2024 года № 16 (Правила)."
        " Данные защищены законом.",
        "en": "Programme rules: Budget Code art. 62 para 4; Law of 16 November 2023"
        " No. 40-VIII; Government Resolution No. 16 of 18 January 2024 (the Rules). Data"
        " protected by law.",
    },
}

MESSAGES |= STATEMENT_MESSAGES  # the statement's words: `i18n_statement.py`
MESSAGES |= STATISTICS_MESSAGES  # the statistics page's words: `i18n_statistics.py`


def text(language: str, key: str, **values: object) -> str:
    """The message `key` in `language`, with its placeholders filled."""
    message = MESSAGES[key][language]
    return message.format(**values) if values else message


def plural(language: str, n: int) -> str:
    """The form a noun takes after the whole number `n`: `one`, `few` or `many` (Unicode's
    plural categories). Russian: 1, 21, 101 год; 2–4, 22–24 года; 5–20, 25–30 лет.
    English: one close, 2 closes. Kazakh's noun does not change after a number."""
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        return "few" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "many"
    if language == "en":
        return "one" if n == 1 else "many"
    return "many"


def counted(language: str, key: str, n: int, *, written: str | None = None) -> str:
    """The message `key_one`, `key_few` or `key_many` as `n` needs, with `{n}` written as
    given (grouped, `13 842`) or as the number."""
    return text(language, f"{key}_{plural(language, n)}", n=str(n) if written is None else written)


def region_name(language: str, code: str) -> str:
    """A region's name: the ISO code's English name (Kazakh and Russian below)."""
    return REGION_NAMES.get(code, {}).get(language) or code


REGION_NAMES: dict[str, dict[str, str]] = {
    "KZ-10": {"kk": "Абай облысы", "ru": "область Абай", "en": "Abai Region"},
    "KZ-11": {"kk": "Ақмола облысы", "ru": "Акмолинская область", "en": "Akmola Region"},
    "KZ-15": {"kk": "Ақтөбе облысы", "ru": "Актюбинская область", "en": "Aktobe Region"},
    "KZ-19": {"kk": "Алматы облысы", "ru": "Алматинская область", "en": "Almaty Region"},
    "KZ-23": {"kk": "Атырау облысы", "ru": "Атырауская область", "en": "Atyrau Region"},
    "KZ-27": {
        "kk": "Батыс Қазақстан облысы",
        "ru": "Западно-Казахстанская область",
        "en": "West Kazakhstan Region",
    },
    "KZ-31": {"kk": "Жамбыл облысы", "ru": "Жамбылская область", "en": "Jambyl Region"},
    "KZ-33": {"kk": "Жетісу облысы", "ru": "область Жетісу", "en": "Jetisu Region"},
    "KZ-35": {"kk": "Қарағанды облысы", "ru": "Карагандинская область", "en": "Karaganda Region"},
    "KZ-39": {"kk": "Қостанай облысы", "ru": "Костанайская область", "en": "Kostanay Region"},
    "KZ-43": {"kk": "Қызылорда облысы", "ru": "Кызылординская область", "en": "Kyzylorda Region"},
    "KZ-47": {"kk": "Маңғыстау облысы", "ru": "Мангистауская область", "en": "Mangystau Region"},
    "KZ-55": {"kk": "Павлодар облысы", "ru": "Павлодарская область", "en": "Pavlodar Region"},
    "KZ-59": {
        "kk": "Солтүстік Қазақстан облысы",
        "ru": "Северо-Казахстанская область",
        "en": "North Kazakhstan Region",
    },
    "KZ-61": {"kk": "Түркістан облысы", "ru": "Туркестанская область", "en": "Turkestan Region"},
    "KZ-62": {"kk": "Ұлытау облысы", "ru": "область Ұлытау", "en": "Ulytau Region"},
    "KZ-63": {
        "kk": "Шығыс Қазақстан облысы",
        "ru": "Восточно-Казахстанская область",
        "en": "East Kazakhstan Region",
    },
    "KZ-71": {"kk": "Астана", "ru": "Астана", "en": "Astana"},
    "KZ-75": {"kk": "Алматы", "ru": "Алматы", "en": "Almaty"},
    "KZ-79": {"kk": "Шымкент", "ru": "Шымкент", "en": "Shymkent"},
}


#: The page's name for each way an IIN can be wrong (`InvalidIin.problem`).
IIN_PROBLEMS = {
    "format": "iin_not_12_digits",
    "century": "iin_bad_century",
    "birth_date": "iin_bad_date",
    "never_issued": "iin_never_issued",
    "check_digit": "iin_bad_check_digit",
}
