"""A statement line in words, in Kazakh, Russian or English: the rule that produced it
(`domain/explanation.py`) with its values, each written as people read it — amounts
grouped, rates as percentages, dates as the language writes them, codes in words.

Shared by the citizen's statement page, the staff's person file and `urpaq statement`,
which prints English `plain`: amounts grouped with commas, ordinary spaces.  Imports no
web framework.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from urpaq.domain.explanation import Explanation, Rule, Value
from urpaq.domain.inheritance import HeirPayoutStatus
from urpaq.domain.money import Money
from urpaq.domain.payouts import PayoutStatus
from urpaq.domain.register import RecordKind
from urpaq.domain.statement import StatementLine
from urpaq.entrypoints.http.web import i18n

#: The thin space that groups thousands on the pages, in all three languages.
THIN_SPACE = "\u202f"
#: Values that are counts of people, grouped like amounts (years never are).
COUNTS = frozenset({"participants"})
#: Values that are codes, and the prefix of their words' keys.
WORDED = {
    "cause": "cause_",
    "withdrawn_kind": "cause_",
    "purpose": "purpose_",
    "sub_purpose": "sub_purpose_",
    "kind": "kind_",
}


def explained(language: str, line: StatementLine, *, plain: bool = False) -> str:
    """What the line is and why, in `language`; `plain` for a terminal or a JSON
    document (1,234.56 and 2.9683 %), else for a page (1 234.56 and 2.9683 %, unbroken;
    1 234,56 and 2,9683 % in Kazakh and Russian).
    A line without an explanation, or whose explanation lacks a value its words need, is
    named by its kind."""
    kind_words = i18n.text(language, f"kind_{line.kind.value}")
    explanation = line.explanation
    if explanation is None:
        return kind_words
    values = {
        name: _written(language, name, value, plain=plain) for name, value in explanation.values
    }
    message = i18n.MESSAGES.get(_key(explanation), {}).get(language)
    if message is None:
        return kind_words
    if "participants" in values:
        values["participants"] = _participants(language, explanation, values["participants"])
    try:
        words = message.format(**values)
        if explanation.rule is Rule.ACCRUAL and _nonzero(explanation.get("residue")):
            words += i18n.MESSAGES["rule_accrual_residue"][language].format(**values)
    except KeyError:
        return kind_words
    return words


def _participants(language: str, explanation: Explanation, written: str) -> str:
    """A count of participants with its noun as the count needs: in English one
    participant; in Russian (after «на») 1, 21 and 2–4, 22–24 участника (13 842 участника
    once read «участников»), any other count участников; Kazakh's noun, which does not
    change after a number, is in its sentence."""
    count = explanation.get("participants")
    if not isinstance(count, int):
        return i18n.text(language, "participants_many", n=written)
    return i18n.counted(language, "participants", count, written=written)


def _key(explanation: Explanation) -> str:
    """The words' key: the rule's, or one of its variants by the values it has."""
    rule = explanation.rule
    key = f"rule_{rule.value}"
    if rule is Rule.ACCRUAL and (
        _nonzero(explanation.get("returned")) or _nonzero(explanation.get("back_accruals"))
    ):
        return f"{key}_pot"
    if rule in (Rule.BACK_ACCRUAL, Rule.RESTORATION, Rule.MATURITY, Rule.SAVINGS_CREDITED) and (
        explanation.get("matured_in") is not None
    ):
        return f"{key}_late"
    if rule in (Rule.BACK_ACCRUAL, Rule.RESTORATION) and _nonzero(explanation.get("held")):
        return f"{key}_held"
    if rule is Rule.FORFEITURE and explanation.get("restarted") is not None:
        return f"{key}_restart"
    if rule is Rule.ANNULMENT and explanation.get("cause") == RecordKind.RECORD_RETRACTED:
        return f"{key}_withdrawn"
    if rule is Rule.PAYOUT:
        return f"{key}_{explanation.get('status') or PayoutStatus.PAID.value}"
    if rule is Rule.INHERITANCE and explanation.get("status") == HeirPayoutStatus.RETURNED:
        return f"{key}_returned"
    return key


def _nonzero(value: Value | None) -> bool:
    return isinstance(value, Money) and value.cents != 0


def _written(language: str, name: str, value: Value, *, plain: bool) -> str:
    group = "," if plain else THIN_SPACE
    written_in = "en" if plain else language
    if isinstance(value, Money):
        return amount(value, group=group, language=written_in)
    if isinstance(value, Decimal):
        return percent(value, space=" " if plain else "\u00a0", language=written_in)
    if isinstance(value, dt.date):
        return day(language, value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", group) if name in COUNTS else str(value)
    prefix = WORDED.get(name)
    if prefix is not None:
        words = i18n.MESSAGES.get(f"{prefix}{value}", {}).get(language)
        if words is not None:
            return words
    return value


def amount(value: Money, *, group: str = THIN_SPACE, language: str = "en") -> str:
    """1 234 567.89 with thin spaces (or the `group` given); 1 234 567,89 in the
    languages that write a decimal comma."""
    whole, _, cents = value.grouped().rpartition(".")
    return f"{whole.replace(',', group)}{_decimal_mark(language)}{cents}"


def percent(rate: Decimal, *, space: str = "\u00a0", language: str = "en") -> str:
    """A rate as a percentage with every published digit: 0.029683 is 2.9683 % (2,9683 %
    in the languages that write a decimal comma)."""
    digits = format((rate * 100).normalize(), "f")
    return f"{digits.replace('.', _decimal_mark(language))}{space}%"


#: The languages whose pages write a decimal comma, as Kazakhstan's documents in Kazakh
#: and Russian do; English, and every plain text (a terminal, JSON), a point.
DECIMAL_COMMA = frozenset({"kk", "ru"})


def _decimal_mark(language: str) -> str:
    return "," if language in DECIMAL_COMMA else "."


def day(language: str, date: dt.date) -> str:
    """A date as each language writes it: 31.01.2024 in Kazakh and Russian, 2024-01-31
    in English."""
    return date.isoformat() if language == "en" else date.strftime("%d.%m.%Y")


def moment(language: str, at: dt.datetime) -> str:
    """A moment, its day as `day` writes it, then the time: 31.01.2024 14:05:09."""
    return f"{day(language, at.date())} {at.strftime('%H:%M:%S')}"
