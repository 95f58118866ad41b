"""Authorised operators: the banks and the postal operator through which target savings
are paid out, the purposes each may serve, whether it may pay heirs, and their API
credentials.

A credential is shown once, when it is issued; the system keeps only its SHA-256 digest.
A credential is a random token of 256 bits, so a plain digest is enough to make a stolen
table useless (no password to guess).
"""

from __future__ import annotations

import enum
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from urpaq.domain.legible import alphabets, read_alike
from urpaq.domain.refusals import quoted

#: A letter or digit first (never `=`, `+`, `-` or `@`, which a spreadsheet opening a
#: CSV would take for a formula), then letters, digits, spaces and . _ & ' -: Kazakh and
#: Russian names as written (`Қазпочта`, `Халық Банк`) as much as Latin ones.  Letters
#: of any alphabet, but one alphabet to a word (`parse_name`), and digits 0–9.
NAME_PATTERN = re.compile(r"[^\W_][\w .&'-]{1,79}")
_WORDS = re.compile(r"[^ .&'_-]+")


class Purpose(enum.StrEnum):
    """What target savings may be spent on (programme.md, "Target savings: payouts")."""

    HOUSING = "housing"
    EDUCATION = "education"


#: The scope that lets an operator pay a deceased holder's frozen savings to heirs.  An
#: heir's payout serves no purpose, so neither purpose grants it: it is granted beside
#: them, in the same list (`--purposes housing,education,inheritance`).
INHERITANCE = "inheritance"

#: Every word an operator's list of purposes may hold.
SCOPES = (*(p.value for p in Purpose), INHERITANCE)

#: What each purpose covers (programme.md): housing — purchase or construction, a mortgage
#: down payment, a housing-savings deposit; education — tuition for a period or for the
#: whole course, in Kazakhstan or abroad, or an educational savings deposit.
SUB_PURPOSES: dict[Purpose, tuple[str, ...]] = {
    Purpose.HOUSING: ("purchase", "construction", "mortgage_down_payment", "housing_savings"),
    Purpose.EDUCATION: ("tuition_period", "tuition_course", "education_savings"),
}


class InvalidOperator(ValueError):
    """An operator's name or purposes that cannot be accepted; the message names them."""


def parse_name(text: str) -> str:
    """An operator's name, its letters composed (NFC), so that one name is one text."""
    name = unicodedata.normalize("NFC", text.strip())
    shown = quoted(text, limit=80)
    if not NAME_PATTERN.fullmatch(name) or any(
        not ("0" <= c <= "9" or unicodedata.category(c).startswith("L"))
        for c in name
        if c.isalnum()
    ):
        raise InvalidOperator(
            f"operator name {shown} must be 2–80 letters (of any alphabet), digits 0–9,"
            " spaces or . _ & ' -, beginning with a letter or a digit"
        )
    for word in _WORDS.findall(name):
        found = alphabets(word)
        if len(found) > 1:  # "Hаlyk" with a Cyrillic а would pass for "Halyk"
            raise InvalidOperator(
                f"operator name {shown} mixes alphabets in the word {word!r}"
                f" ({' and '.join(sorted(found))}): letters that look alike would"
                " name two operators alike"
            )
    return name


def same_name(name: str, other: str) -> bool:
    """Whether two operators' names read as one: the same words, whatever their case, the
    spaces between them or their compatibility forms (full-width `ＢＣＣ`); or, written in
    other alphabets, the same once letters drawn alike are read as one (`ВСС` in
    Cyrillic beside `BCC`). Two names of one alphabet are two names whenever their letters
    differ: `Күн Банк` is not `Кун Банк`."""
    return read_alike(name, other)


def parse_scopes(text: str) -> tuple[frozenset[Purpose], bool]:
    """What an operator may pay, written as a comma-separated list such as
    ``housing,education,inheritance``: the purposes it serves, and whether it pays heirs."""
    words = {word.strip().lower() for word in text.split(",") if word.strip()}
    if not words:
        raise InvalidOperator(
            f"an operator serves at least one purpose: one or more of {', '.join(SCOPES)}"
        )
    unknown = sorted(words - set(SCOPES))
    if unknown:
        raise InvalidOperator(f"purpose {unknown[0]!r} is not one of {', '.join(SCOPES)}")
    return frozenset(Purpose(w) for w in words if w != INHERITANCE), INHERITANCE in words


def parse_sub_purpose(purpose: Purpose, text: str) -> str:
    """A sub-purpose that belongs to `purpose`."""
    allowed = SUB_PURPOSES[purpose]
    if text not in allowed:
        raise InvalidOperator(
            f"sub-purpose {text!r} is not one of {purpose.value}'s: {', '.join(allowed)}"
        )
    return text


def credential_digest(credential: str) -> str:
    """What the system keeps of a credential."""
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuthorisedOperator:
    """An operator, the purposes it serves and whether it pays heirs (`INHERITANCE`)."""

    name: str
    purposes: frozenset[Purpose]
    active: bool
    pays_heirs: bool = False

    def serves(self, purpose: Purpose) -> bool:
        return self.active and purpose in self.purposes

    def may_pay_heirs(self) -> bool:
        return self.active and self.pays_heirs

    def scopes(self) -> list[str]:
        """Its purposes, and `inheritance` if it pays heirs, as `--purposes` takes them."""
        words = sorted(p.value for p in self.purposes)
        return [*words, INHERITANCE] if self.pays_heirs else words

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "purposes": self.scopes(), "active": self.active}
