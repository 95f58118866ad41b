"""The statement's words in Kazakh, Russian and English (`i18n.py` adds them to its
MESSAGES): the columns and the printable version, and each line's rule in words
(`rule_…`, filled by `explain.py` with the rule's values), with the words of the values
that are codes: what ended a participation (`cause_…`), purposes and their parts.
"""

from __future__ import annotations


def _m(kk: str, ru: str, en: str) -> dict[str, str]:
    return {"kk": kk, "ru": ru, "en": en}


#: What one participant of a year holds, said the same way by several rules.
_DUE = _m(
    "{since} жылдан бері қатысушыда {previous} жылдың қорытындысынан кейін бар сома ({due})",
    "столько, сколько имеет участник с {since} года после итогов {previous} года ({due})",
    "what a participant since {since} holds after the close of {previous} ({due})",
)
#: What someone who matures late is paid: their class's balance at their maturity close.
_DUE_LATE = _m(
    "{since} жылдан бері қатысушыда {matured_in} жылдың (18 жасқа толмаған соңғы жылының)"
    " қорытындысынан кейін болған сома ({due})",
    "столько, сколько имел участник с {since} года после итогов {matured_in} года,"
    " последнего года до 18 лет ({due})",
    "what a participant since {since} held after the close of {matured_in}, their last"
    " year under 18 ({due})",
)
_IN_FULL = _m("толық қалпына келтірілді, ", "восстановлено полностью, ", "restored in full, ")
_FROM_POT = _m("бөлінетін сомадан төленді", "из суммы к распределению", "paid from the pot")
_LESS_HELD = _m(
    "бұрыннан бар {held} шегеріліп", "за вычетом имевшихся {held}", "less the {held} held"
)
_BACK_ACCRUAL = _m("қосымша есептеу: ", "доначисление: ", "back-accrual: ")
_RESTORED = _m(
    "халық тіркелімі жазбаны кері қайтарғаннан кейін қалпына келтіру ({withdrawn_kind},"
    " {withdrawn_effective}; кері қайтарылды {withdrawn_on})",
    "восстановление после отзыва записи регистром населения ({withdrawn_kind},"
    " {withdrawn_effective};"
    " отозвана {withdrawn_on})",
    "restoration after the register withdrew a record ({withdrawn_kind},"
    " {withdrawn_effective}; withdrawn on {withdrawn_on})",
)
_PAYOUT = _m(
    "{purpose} мақсатына төлем ({sub_purpose}), уәкілетті оператор {operator} арқылы",
    "выплата на {purpose} ({sub_purpose}) через уполномоченного оператора {operator}",
    "payout for {purpose} ({sub_purpose}) through the authorised operator {operator}",
)


def _joined(*parts: dict[str, str] | str, separator: str = ", ") -> dict[str, str]:
    """Phrases put together in each language; a plain string is the same in all three."""
    return {
        language: separator.join(p if isinstance(p, str) else p[language] for p in parts)
        for language in ("kk", "ru", "en")
    }


STATEMENT_MESSAGES: dict[str, dict[str, str]] = {
    "frozen_deceased": _m(
        "Нысаналы жинақтар бұғатталған: халық тіркелімі иесінің қайтыс болғанын тіркеген,"
        " жинақтар тек"
        " нотариустың мұраға құқық туралы куәлігі бойынша мұрагерлерге төленеді. Бұл қате"
        " болса, ХҚКО арқылы халық тіркеліміне жүгініңіз: ол жазбаны түзеткен күні бұғат алынады.",
        "Целевые накопления заморожены: регистр населения зарегистрировал смерть владельца, они"
        " выплачиваются только наследникам по свидетельству нотариуса о праве на наследство."
        " Если это ошибка, обратитесь через ЦОН в регистр населения: заморозка снимается в день"
        " исправления"
        " записи.",
        "The target savings are frozen: the register records the holder's death, and"
        " they are paid only to heirs, on a notary's certificate of the right to inheritance."
        " If this is a mistake, ask the register to correct it: the freeze ends the day it"
        " withdraws the record.",
    ),
    "frozen_unvouched": _m(
        "Нысаналы жинақтар бұғатталған: халық тіркелімі иесінің жазбасын жойды немесе оның"
        " азаматтығы туралы барлық жазбаларды кері қайтарып алды. Оператор қызметкерлері"
        " істі шешкенге дейін жинақтар ешкімге төленбейді.",
        "Целевые накопления заморожены: регистр населения аннулировал запись владельца или отозвал"
        " все записи о его гражданстве. Пока сотрудники оператора не урегулируют дело,"
        " накопления никому не выплачиваются.",
        "The target savings are frozen: the register annulled the holder's record, or"
        " withdrew every record of their citizenship. Nothing is paid to anyone until the"
        " operator's staff have settled the case.",
    ),
    "statement_intro": _m(
        "Әр жолда операция күні, оны тудырған ереже және одан кейінгі шот қалдығы"
        " көрсетілген; әр кестенің соңғы қалдығы — шоттың қалдығы.",
        "В каждой строке — дата операции, правило, по которому она возникла, и остаток"
        " счёта после неё; последний остаток каждой таблицы — остаток счёта.",
        "Every line says on which day it was made, the rule that produced it and what the"
        " account held after it; the last balance of each table is the account's balance.",
    ),
    "statement_col_date": _m("Күні", "Дата", "Date"),
    "statement_col_year": _m("Есепті жыл", "Отчётный год", "Reporting year"),
    "statement_col_entry": _m("Операция және негізі", "Операция и основание", "Entry and why"),
    "statement_col_balance": _m("Қалдық, USD", "Остаток, USD", "Balance, USD"),
    "statement_print_link": _m(
        "Басып шығаруға арналған нұсқа", "Версия для печати", "Printable version"
    ),
    "statement_print_title": _m(
        "Нысаналы талаптар мен нысаналы жинақтар бойынша үзінді-көшірме",
        "Выписка по целевым требованиям и целевым накоплениям",
        "Statement of target requirements and target savings",
    ),
    "statement_print_note": _m(
        "Басып шығару үшін браузердің «Басып шығару» пәрменін пайдаланыңыз.",
        "Чтобы напечатать, воспользуйтесь командой браузера «Печать».",
        "To print, use your browser's Print command.",
    ),
    "statement_back": _m("Үзінді-көшірмеге оралу", "Вернуться к выписке", "Back to the statement"),
    "statement_iin": _m("ЖСН", "ИИН", "IIN"),
    "statement_prepared_on": _m("Жасалған күні", "Дата составления", "Prepared on"),
    "statement_since": _m(
        "Қатысу басталған есепті жыл", "Участвует с отчётного года", "Participates from"
    ),
    "statement_since_matured": _m(
        "Қатысу басталған есепті жыл", "Участие с отчётного года", "Participated from"
    ),
    # The rules, one sentence each (`domain/explanation.py: Rule`, variants by `explain.py`).
    "rule_investment_income": _m(
        "{year} жылғы инвестициялық табыс: {balance} сомасына {rate}",
        "инвестиционный доход за {year} год: {rate} на {balance}",
        "investment income of {year}: {rate} on {balance}",
    ),
    "rule_accrual": _m(
        "{year} жылғы бір балаға есептеу: НТ жалпы сомасы ({tr_total}) {participants}"
        " қатысушыға тең бөлінді",
        "начисление на ребёнка за {year} год: общая сумма ЦТ {tr_total}, разделённая на"
        " {participants}",
        "per-child accrual of {year}: the TR total {tr_total} split among {participants}",
    ),
    "rule_accrual_pot": _m(
        "{year} жылғы бір балаға есептеу: НТ жалпы сомасы {tr_total}, оған бөлуге қайтарылған"
        " {returned} қосылып, қосымша есептеулер {back_accruals} шегеріліп,"
        " {participants} қатысушыға тең бөлінді",
        "начисление на ребёнка за {year} год: общая сумма ЦТ {tr_total}, плюс {returned},"
        " возвращённые к распределению, минус доначисления {back_accruals}, разделённая на"
        " {participants}",
        "per-child accrual of {year}: the TR total {tr_total}, plus {returned} returned to"
        " the pot, less {back_accruals} of back-accruals, split among {participants}",
    ),
    # After either accrual's words, when the split left cents over.
    "rule_accrual_residue": _m(
        ", центке дейін төмен қарай дөңгелектелді (бөлінбей қалған қалдық: {residue})",
        ", с округлением вниз до цента (неразделённый остаток: {residue})",
        ", rounded down to the cent (the {residue} left over is not split)",
    ),
    # A count of participants, with its noun as the sentence needs it (`explain.py`).
    "participants_one": _m("{n}", "{n} участника", "{n} participant"),
    "participants_few": _m("{n}", "{n} участника", "{n} participants"),
    "participants_many": _m("{n}", "{n} участников", "{n} participants"),
    "rule_back_accrual": _joined(_BACK_ACCRUAL, _joined(_DUE, _FROM_POT), separator=""),
    "rule_back_accrual_held": _joined(
        _BACK_ACCRUAL, _joined(_DUE, _LESS_HELD, _FROM_POT), separator=""
    ),
    "rule_restoration": _joined(_RESTORED, _joined(_DUE, _FROM_POT), separator=": "),
    "rule_restoration_held": _joined(
        _RESTORED, _joined(_DUE, _LESS_HELD, _FROM_POT), separator=": "
    ),
    "rule_back_accrual_late": _joined(_BACK_ACCRUAL, _joined(_DUE_LATE, _FROM_POT), separator=""),
    "rule_restoration_late": _joined(
        _RESTORED, _joined(_IN_FULL, _joined(_DUE_LATE, _FROM_POT), separator=""), separator=": "
    ),
    "rule_forfeiture": _m(
        "тоқтату: {cause}, {on}", "прекращение: {cause} {on}", "forfeiture: {cause} on {on}"
    ),
    "rule_forfeiture_restart": _m(
        "тоқтату: {cause}, {on}; азаматтық {restarted} жылы қалпына келді, жаңа қатысу"
        " нөлден басталады",
        "прекращение: {cause} {on}; гражданство восстановлено в {restarted} году, новое"
        " участие начинается с нуля",
        "forfeiture: {cause} on {on}; citizenship regained in {restarted}, a new"
        " participation begins from zero",
    ),
    "rule_annulment": _m(
        "жою: халық тіркелімі жазбаны {on} жойды — құқық болмаған",
        "аннулирование: регистр населения аннулировал запись {on} — права не было",
        "annulment: the register annulled the record on {on} — the right never existed",
    ),
    "rule_annulment_withdrawn": _m(
        "жою: халық тіркелімі барлық жазбаны кері қайтарды (соңғысын {on}) — құқық болмаған",
        "аннулирование: регистр населения отозвал все записи (последнюю {on}) — права не было",
        "annulment: the register withdrew every record (the last on {on}) — the right"
        " never existed",
    ),
    "rule_reversal": _m(
        "сторно: {held} есептелген, ал {since} жылдан бері қатысушыда {previous} жылдың"
        " қорытындысынан кейін {due} болады; артығы құқықсыз есептелген",
        "сторно: начислено {held}, а участник с {since} года после итогов {previous} года"
        " имеет {due}; излишек начислен без права",
        "reversal: {held} had been credited, while a participant since {since} holds {due}"
        " after the close of {previous}; the excess was credited without the right",
    ),
    "rule_maturity": _m(
        "18 жаста нысаналы жинақтарға аударылды: {year} жылдың қорытындысынан кейінгі бүкіл қалдық",
        "перевод в целевые накопления в 18 лет: весь остаток после итогов {year} года",
        "became target savings at 18: the whole balance after the close of {year}",
    ),
    "rule_maturity_late": _m(
        "18 жаста нысаналы жинақтарға кешігіп аударылды: {matured_in} жылдың қорытындысынан"
        " кейін тиесілі қалдық {year} жылдың қорытындысында есептелді",
        "перевод в целевые накопления в 18 лет, с опозданием: остаток, причитавшийся после"
        " итогов {matured_in} года, зачислен при итогах {year} года",
        "became target savings at 18, late: the balance due after the close of"
        " {matured_in}, credited at the close of {year}",
    ),
    "rule_savings_credited": _m(
        "нысаналы жинақтар есептелді: {year} жылдың қорытындысынан кейінгі НТ бүкіл қалдығы",
        "зачислены целевые накопления: весь остаток ЦТ после итогов {year} года",
        "target savings credited: the whole TR balance after the close of {year}",
    ),
    "rule_savings_credited_late": _m(
        "нысаналы жинақтар кешігіп есептелді: {matured_in} жылдың қорытындысынан кейін тиесілі"
        " қалдық, {year} жылдың қорытындысында",
        "зачислены целевые накопления, с опозданием: остаток, причитавшийся после итогов"
        " {matured_in} года, при итогах {year} года",
        "target savings credited, late: the balance due after the close of {matured_in},"
        " at the close of {year}",
    ),
    "rule_payout_paid": _joined(
        _PAYOUT,
        _m(
            "пайдалануы {return_due_on} дейін расталуы тиіс",
            "использование подтверждается до {return_due_on}",
            "use to be confirmed by {return_due_on}",
        ),
        separator="; ",
    ),
    "rule_payout_confirmed": _joined(
        _PAYOUT,
        _m("пайдалануы расталды", "использование подтверждено", "use confirmed"),
        separator="; ",
    ),
    "rule_payout_returned": _joined(
        _PAYOUT, _m("қайтарылды", "возвращена", "returned"), separator="; "
    ),
    "rule_return": _m(
        "уәкілетті оператор {operator} қайтарды: {purpose} мақсатына төлем ({sub_purpose})"
        " пайдаланылмады",
        "возврат от уполномоченного оператора {operator}: выплата на {purpose}"
        " ({sub_purpose}) не использована",
        "return from the authorised operator {operator}: the payout for {purpose}"
        " ({sub_purpose}) was not used",
    ),
    "rule_return_unused": _m(
        "уәкілетті оператор {operator} қайтарды: {purpose} мақсатына төлемнің ({sub_purpose})"
        " пайдаланылуы {return_due_on} дейін расталмады (45 жұмыс күні)",
        "возврат от уполномоченного оператора {operator}: использование выплаты на {purpose}"
        " ({sub_purpose}) не подтверждено до {return_due_on} (45 рабочих дней)",
        "return from the authorised operator {operator}: the use of the payout for {purpose}"
        " ({sub_purpose}) was not confirmed by {return_due_on} (45 working days)",
    ),
    "rule_inheritance": _m(
        "уәкілетті оператор {operator} арқылы мұрагерге төлем, нотариус куәлігі {certificate}",
        "выплата наследнику через уполномоченного оператора {operator} по свидетельству"
        " нотариуса {certificate}",
        "paid to an heir through the authorised operator {operator}, on the notary's"
        " certificate {certificate}",
    ),
    "rule_inheritance_returned": _m(
        "уәкілетті оператор {operator} арқылы мұрагерге төлем, нотариус куәлігі {certificate};"
        " қайтарылды",
        "выплата наследнику через уполномоченного оператора {operator} по свидетельству"
        " нотариуса {certificate}; возвращена",
        "paid to an heir through the authorised operator {operator}, on the notary's"
        " certificate {certificate}; returned",
    ),
    "rule_heir_return": _m(
        "уәкілетті оператор {operator} қайтарды: {certificate} куәлігі бойынша мұрагерге"
        " төлем жүргізілмеді",
        "возврат от уполномоченного оператора {operator}: выплату наследнику по"
        " свидетельству {certificate} произвести не удалось",
        "return from the authorised operator {operator}: the heir's payout on the"
        " certificate {certificate} could not be made",
    ),
    "rule_expiry": _m(
        "зейнетақы шотына аудару (ерікті жарналар): {credited_on} есептелгеннен бері {years}"
        " жыл ішінде пайдаланылмады",
        "перевод на пенсионный счёт (добровольные взносы): не использованы {years} лет с"
        " зачисления {credited_on}",
        "to the pension account (voluntary contributions): not used within {years} years of"
        " crediting on {credited_on}",
    ),
    "rule_entry": _m("{kind}", "{kind}", "{kind}"),
    # What ended a participation, or the record the register withdrew.
    "cause_born_citizen": _m(
        "туғаннан азаматтық", "гражданство по рождению", "citizenship by birth"
    ),
    "cause_citizenship_acquired": _m(
        "азаматтық алынды", "гражданство приобретено", "citizenship acquired"
    ),
    "cause_citizenship_lost": _m(
        "азаматтығынан айырылды", "гражданство утрачено", "citizenship lost"
    ),
    "cause_citizenship_renounced": _m(
        "азаматтықтан бас тартылды", "отказ от гражданства", "citizenship renounced"
    ),
    "cause_died": _m("қайтыс болды", "смерть", "died"),
    "cause_declared_dead": _m(
        "сот қайтыс болды деп жариялады", "объявлен умершим судом", "declared dead by a court"
    ),
    "cause_record_annulled": _m("жазба жойылды", "запись аннулирована", "record annulled"),
    "cause_record_retracted": _m("жазба кері қайтарылды", "запись отозвана", "record withdrawn"),
    "cause_data_updated": _m("деректер жаңартылды", "данные обновлены", "data updated"),
    "cause_not_citizen": _m(
        "31 желтоқсанда азаматтық жоқ",
        "нет гражданства на 31 декабря",
        "no citizenship on 31 December",
    ),
    # How a holder spends target savings (the statement of a matured holder).
    "spend_title": _m(
        "Нысаналы жинақтарды қалай пайдалануға болады",
        "Как использовать целевые накопления",
        "How to use your target savings",
    ),
    "spend_how": _m(
        "Төменде аталған уәкілетті операторлардың бірінде АҚШ долларымен шот ашып, сонда"
        " соманы және мақсатты көрсетіп өтініш беріңіз. Жинақтардың бір бөлігін пайдалануға"
        " болады, қалғаны шотыңызда қалады. Мақсаттары:",
        "Откройте счёт в долларах США у одного из уполномоченных операторов, перечисленных"
        " ниже, и подайте там заявление, указав сумму и цель. Можно использовать часть"
        " накоплений — остаток остаётся на счёте. Цели:",
        "Open a US dollar account with one of the authorised operators listed below and"
        " apply there, stating the amount and the purpose. You may use part of your"
        " savings; the rest stays on your account. The purposes:",
    ),
    "spend_purpose_housing": _m(
        "Қазақстанда тұрғын үй жағдайын жақсарту",
        "улучшение жилищных условий в Казахстане",
        "better housing in Kazakhstan",
    ),
    "spend_purpose_education": _m(
        "Қазақстанда немесе шетелде білім алу",
        "образование в Казахстане или за рубежом",
        "education in Kazakhstan or abroad",
    ),
    "spend_rules": _m(
        "Уәкілетті оператор құжаттарыңызды тексеріп, мақсатқа төлейді. 45 жұмыс күні ішінде"
        " пайдаланылмаған ақша нысаналы жинақтарыңызға қайтарылады. Есепке жатқызылған күннен"
        " бастап 10 жыл ішінде пайдаланылмаған жинақтар зейнетақы шотыңызға ерікті зейнетақы"
        " жарналары ретінде аударылады.",
        "Уполномоченный оператор проверяет ваши документы и оплачивает цель. Деньги, не"
        " использованные в течение 45 рабочих дней, возвращаются на ваши целевые накопления."
        " Накопления, не использованные в течение 10 лет со дня зачисления, переводятся на"
        " ваш пенсионный счёт как добровольные пенсионные взносы.",
        "The operator checks your documents and pays for the purpose. Money not used within"
        " 45 working days comes back to your target savings. Savings not used within 10"
        " years of being credited are moved to your pension account as voluntary"
        " contributions.",
    ),
    "spend_operators": _m(
        "Өтініш қабылдайтын уәкілетті операторлар",
        "Уполномоченные операторы, принимающие заявления",
        "Authorised operators taking applications",
    ),
    "spend_no_operators": _m(
        "Қазір бірде-бір уәкілетті оператор өтініш қабылдамайды.",
        "Сейчас ни один уполномоченный оператор не принимает заявления.",
        "No authorised operator takes applications at the moment.",
    ),
    "statement_unknown_guidance": _m(
        "Бағдарлама бойынша сізге есептелген нысаналы талаптар мен жинақтар жоқ. Егер сіз"
        " 2006 жылы немесе одан кейін туған Қазақстан азаматы болсаңыз, жазбаңыз"
        " халық тіркелімінде жоқ болуы мүмкін: жеке басыңызды куәландыратын құжатпен жақын"
        " жердегі Халыққа қызмет көрсету орталығына (ХҚКО) жүгініңіз немесе 1414 нөміріне"
        " қоңырау шалыңыз.",
        "По программе вам не начислено ни целевых требований, ни накоплений. Если вы"
        " гражданин Казахстана, родившийся в 2006 году или позже, ваша запись может"
        " отсутствовать в регистре населения: обратитесь в ближайший Центр обслуживания"
        " населения (ЦОН) с удостоверением личности или позвоните по номеру 1414.",
        "The programme has credited you no target requirements and no savings. If you are"
        " a citizen of Kazakhstan born in 2006 or later, your record may be"
        " missing from the population register: visit a Public Service Centre (PSC) with"
        " your identity document, or call 1414.",
    ),
    "purpose_housing": _m("тұрғын үй", "жильё", "housing"),
    "purpose_education": _m("білім", "образование", "education"),
    "sub_purpose_purchase": _m("тұрғын үй сатып алу", "покупка жилья", "purchase"),
    "sub_purpose_construction": _m("құрылыс", "строительство", "construction"),
    "sub_purpose_mortgage_down_payment": _m(
        "ипотекалық бастапқы жарна", "первоначальный взнос по ипотеке", "mortgage down payment"
    ),
    "sub_purpose_housing_savings": _m(
        "тұрғын үй жинақ салымы", "депозит жилищных сбережений", "housing-savings deposit"
    ),
    "sub_purpose_tuition_period": _m(
        "кезең үшін оқу ақысы", "оплата обучения за период", "tuition for a period"
    ),
    "sub_purpose_tuition_course": _m(
        "бүкіл курстың оқу ақысы", "оплата всего курса обучения", "tuition for the whole course"
    ),
    "sub_purpose_education_savings": _m(
        "білім беру жинақ салымы",
        "образовательный накопительный вклад",
        "educational savings deposit",
    ),
}
