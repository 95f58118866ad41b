"""The statistics page's words in Kazakh, Russian and English (`i18n.py` adds them to
its MESSAGES): the page, each table's title (`table_NAME`), each column's heading
(`col_NAME`) and the values of text cells (`value_VALUE`)."""

from __future__ import annotations

STATISTICS_MESSAGES: dict[str, dict[str, str]] = {
    "statistics_title": {
        "kk": "Бағдарлама статистикасы",
        "ru": "Статистика программы",
        "en": "Programme statistics",
    },
    "statistics_intro": {
        "kk": "Соңғы жабылған есепті жыл: {year}. Адамды анықтау мүмкін болмас үшін"
        " {threshold}-ден аз адамды көрсететін ұяшықтар, сондай-ақ оларды шегеру арқылы"
        " табуға мүмкіндік беретін ұяшықтар жасырылған («жасырын»).",
        "ru": "Последний закрытый отчётный год: {year}. Чтобы нельзя было узнать человека,"
        " скрыты ячейки, за которыми меньше {threshold} человек, и те, по которым их можно"
        " было бы вычислить вычитанием («скрыто»).",
        "en": "Last closed reporting year: {year}. So that nobody can be singled out, cells"
        " that stand for fewer than {threshold} people are hidden, and so are cells from"
        " which a hidden one could be worked out by subtraction (\u201chidden\u201d).",
    },
    "statistics_counting": {
        "kk": "{year} жылғы жабудың қатысушылары саналып жатыр: олардың кестелері осы бетте"
        " бірнеше минуттан кейін пайда болады.",
        "ru": "Участники закрытия {year} года подсчитываются: их таблицы появятся на этой"
        " странице через несколько минут.",
        "en": "The participants of the close of {year} are being counted: their tables appear"
        " on this page within minutes.",
    },
    "no_closes": {
        "kk": "Әзірге бірде-бір есепті жыл жабылған жоқ.",
        "ru": "Пока ни один отчётный год не закрыт.",
        "en": "No reporting year has been closed yet.",
    },
    "download_csv": {
        "kk": "Кестені жүктеу (CSV)",
        "ru": "Скачать таблицу (CSV)",
        "en": "Download the table (CSV)",
    },
    "chart_of": {"kk": "Диаграмма: {title}", "ru": "Диаграмма: {title}", "en": "Chart: {title}"},
    "table_participants_by_age": {
        "kk": "Жасы бойынша қатысушылар",
        "ru": "Участники по возрасту",
        "en": "Participants by age",
    },
    "table_participants_by_sex": {
        "kk": "Жынысы бойынша қатысушылар",
        "ru": "Участники по полу",
        "en": "Participants by sex",
    },
    "table_participants_by_region": {
        "kk": "Өңірлер бойынша қатысушылар",
        "ru": "Участники по регионам",
        "en": "Participants by region",
    },
    "table_regions": {
        "kk": "Өңірлер бойынша: {year} есепті жылының қорытындысы",
        "ru": "По регионам: итоги {year} отчётного года",
        "en": "By region: the close of {year}",
    },
    "reporting_year": {"kk": "Есепті жыл", "ru": "Отчётный год", "en": "Reporting year"},
    "table_accruals_by_year": {
        "kk": "Жыл бойынша есептеулер және инвестициялық табыс",
        "ru": "Начисления и инвестиционный доход по годам",
        "en": "Accruals and investment income by reporting year",
    },
    "table_cumulative_accruals": {
        "kk": "Жинақталған есептеулер",
        "ru": "Накопленные начисления",
        "en": "Cumulative accruals",
    },
    "table_target_savings_by_year": {
        "kk": "Есептелген нысаналы жинақтар",
        "ru": "Зачисленные целевые накопления",
        "en": "Target savings credited",
    },
    "table_payouts_by_purpose": {
        "kk": "Мақсаты бойынша төлемдер",
        "ru": "Выплаты по целям",
        "en": "Payouts by purpose",
    },
    "table_payouts_by_operator": {
        "kk": "Уәкілетті операторлар бойынша төлемдер",
        "ru": "Выплаты по уполномоченным операторам",
        "en": "Payouts by authorised operator",
    },
    "table_returns_by_year": {
        "kk": "Қайтарулар, зейнетақыға аударымдар және мұрагерлерге төлемдер",
        "ru": "Возвраты, переводы на пенсионные счета и выплаты наследникам",
        "en": "Returns, transfers to pension accounts and payments to heirs",
    },
    "col_age": {"kk": "Жасы", "ru": "Возраст", "en": "Age"},
    "col_sex": {"kk": "Жынысы", "ru": "Пол", "en": "Sex"},
    "col_region": {"kk": "Өңір", "ru": "Регион", "en": "Region"},
    "col_participants": {"kk": "Қатысушылар", "ru": "Участники", "en": "Participants"},
    "col_year": {"kk": "Жыл", "ru": "Год", "en": "Year"},
    "col_per_child": {
        "kk": "Бір балаға, USD",
        "ru": "На ребёнка, USD",
        "en": "Per child, USD",
    },
    "col_tr_total": {
        "kk": "Барлық талаптар, USD",
        "ru": "Всего требований, USD",
        "en": "TR total, USD",
    },
    "col_investment_income": {
        "kk": "Инвестициялық табыс, USD",
        "ru": "Инвестиционный доход, USD",
        "en": "Investment income, USD",
    },
    "col_back_accruals": {
        "kk": "Қосымша есептеулер, USD",
        "ru": "Доначисления, USD",
        "en": "Back-accruals, USD",
    },
    "col_returned_to_pot": {
        "kk": "Бөлуге қайтарылды, USD",
        "ru": "Возвращено к распределению, USD",
        "en": "Returned to the pot, USD",
    },
    "col_residue": {
        "kk": "Бөлінбей қалған қалдық, USD",
        "ru": "Неразделённый остаток, USD",
        "en": "Residue, USD",
    },
    "col_credited": {"kk": "Есептелді, USD", "ru": "Начислено, USD", "en": "Credited, USD"},
    "col_cumulative": {
        "kk": "Жинақталған, USD",
        "ru": "Нарастающим итогом, USD",
        "en": "Cumulative, USD",
    },
    "col_matured": {
        "kk": "Кәмелетке толғандар",
        "ru": "Стали совершеннолетними",
        "en": "Came of age",
    },
    "col_turning_18": {
        "kk": "Келесі жылы 18 жасқа толатындар",
        "ru": "Исполнится 18 лет в следующем году",
        "en": "Turning 18 next year",
    },
    "col_matured_late": {
        "kk": "Нысаналы жинақтарға кешігіп ие болғандар",
        "ru": "Получили накопления с опозданием",
        "en": "Matured late",
    },
    "col_accrued": {
        "kk": "Есептелген нысаналы талаптар, USD",
        "ru": "Начислено целевых требований, USD",
        "en": "TR accrued, USD",
    },
    "col_target_savings_credited": {
        "kk": "Нысаналы жинақтарға аударылды, USD",
        "ru": "Зачислено в целевые накопления, USD",
        "en": "Target savings credited, USD",
    },
    "col_purpose": {"kk": "Мақсаты", "ru": "Цель", "en": "Purpose"},
    "col_operator": {"kk": "Оператор", "ru": "Оператор", "en": "Operator"},
    "col_payouts": {"kk": "Төлемдер", "ru": "Выплаты", "en": "Payouts"},
    "col_amount": {"kk": "Сома, USD", "ru": "Сумма, USD", "en": "Amount, USD"},
    "col_confirmed": {"kk": "Расталды", "ru": "Подтверждено", "en": "Confirmed"},
    "col_returned": {"kk": "Қайтарылды", "ru": "Возвращено", "en": "Returned"},
    # The returns by year count returns (`returns`) and sum them (`returned`).
    "col_returns_by_year_returned": {
        "kk": "Қайтарылған сома, USD",
        "ru": "Возвращено, USD",
        "en": "Returned, USD",
    },
    "col_returned_amount": {
        "kk": "Қайтарылған сома, USD",
        "ru": "Возвращено, USD",
        "en": "Returned, USD",
    },
    "col_net_payouts": {
        "kk": "Қайтарылмаған төлемдер",
        "ru": "Выплаты за вычетом возвратов",
        "en": "Payouts net of returns",
    },
    "col_net_amount": {
        "kk": "Қайтаруларды шегергендегі сома, USD",
        "ru": "Сумма за вычетом возвратов, USD",
        "en": "Amount net of returns, USD",
    },
    "col_returns": {"kk": "Қайтарулар", "ru": "Возвраты", "en": "Returns"},
    "col_expiries": {
        "kk": "Зейнетақыға аударымдар",
        "ru": "Переводы на пенсию",
        "en": "To pension accounts",
    },
    "col_expired": {
        "kk": "Зейнетақыға, USD",
        "ru": "На пенсию, USD",
        "en": "To pensions, USD",
    },
    "col_heir_payouts": {
        "kk": "Мұрагерлерге төлемдер",
        "ru": "Выплаты наследникам",
        "en": "Heirs' payouts",
    },
    "col_paid_to_heirs": {
        "kk": "Мұрагерлерге, USD",
        "ru": "Наследникам, USD",
        "en": "To heirs, USD",
    },
    "value_total": {"kk": "Барлығы", "ru": "Всего", "en": "Total"},
    "value_male": {"kk": "ер", "ru": "мужской", "en": "male"},
    "value_female": {"kk": "әйел", "ru": "женский", "en": "female"},
    "value_unknown": {"kk": "көрсетілмеген", "ru": "не указан", "en": "not given"},
    "value_housing": {"kk": "тұрғын үй", "ru": "жильё", "en": "housing"},
    "value_education": {"kk": "білім", "ru": "образование", "en": "education"},
    "suppressed": {"kk": "жасырын", "ru": "скрыто", "en": "hidden"},
    "no_rows": {"kk": "Деректер жоқ.", "ru": "Данных нет.", "en": "No data yet."},
}
