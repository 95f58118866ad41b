"""The operator's staff: who they are in the back office, and what each role may do.

A staff member signs in through the operator's identity provider (OpenID Connect) and
holds one role.  Every permission is granted to roles here, in one table: the back office
asks `may(member, permission)` and answers 403 otherwise; `tests/test_office_roles.py`
proves each route against each role.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from urpaq.domain.legible import alphabets, unseen
from urpaq.domain.refusals import quoted

USER_LENGTH_MAX = 128
#: The words of a user name: its runs of letters (`BANK\\Асель`, `Гүлнар(Gulnar)` and
#: `alice.smith@bank.kz` are words of one alphabet each).
_WORDS = re.compile(r"[^\W\d_]+")


class Role(enum.StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"


class Permission(enum.StrEnum):
    READ_PERSON = "read_person"
    READ_WHO_READ = "read_who_read"  # who read a person's data, and when
    ENTER_PARAMETERS = "enter_parameters"
    APPROVE_PARAMETERS = "approve_parameters"
    PREVIEW_CLOSE = "preview_close"
    RUN_CLOSE = "run_close"
    WORK_QUEUES = "work_queues"
    MANAGE_OPERATORS = "manage_operators"
    READ_AUDIT = "read_audit"


_ANY = frozenset(Role)

#: Which roles hold each permission.
GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.READ_PERSON: _ANY,
    Permission.READ_WHO_READ: frozenset({Role.AUDITOR}),
    Permission.ENTER_PARAMETERS: frozenset({Role.CLERK, Role.SUPERVISOR}),
    Permission.APPROVE_PARAMETERS: frozenset({Role.SUPERVISOR}),
    Permission.PREVIEW_CLOSE: _ANY,
    Permission.RUN_CLOSE: frozenset({Role.SUPERVISOR}),
    Permission.WORK_QUEUES: frozenset({Role.CLERK, Role.SUPERVISOR}),
    Permission.MANAGE_OPERATORS: frozenset({Role.SUPERVISOR}),
    Permission.READ_AUDIT: frozenset({Role.AUDITOR}),
}


class InvalidStaffMember(ValueError):
    """A user name or role the back office cannot take; the message names it."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    user: str
    role: Role

    @property
    def actor(self) -> str:
        """How the audit log names this member."""
        return f"staff:{self.user}"


def staff_member(user: str, role: str) -> StaffMember:
    """A staff member from what an identity provider (or the development form) says."""
    name = user.strip()
    if not name or len(name) > USER_LENGTH_MAX or not name.isprintable():
        raise InvalidStaffMember(
            f"user {name[:20]!r} must be 1 to {USER_LENGTH_MAX} printable characters"
        )
    # Two members whose names look alike would be one to the four eyes that read them:
    # nothing invisible ("Alice" and a filler), and each word of one alphabet ("Аlice"
    # with a Cyrillic А).
    if hidden := next((c for c in name if unseen(c)), None):
        raise InvalidStaffMember(
            f"user {quoted(name, limit=20)} holds an invisible character U+{ord(hidden):04X}"
            f" ({unicodedata.name(hidden, 'unnamed')})"
        )
    for word in _WORDS.findall(name):
        if len(found := alphabets(word)) > 1:
            raise InvalidStaffMember(
                f"user {quoted(name, limit=20)} mixes alphabets in the word {word!r}"
                f" ({' and '.join(sorted(found))}): letters that look alike would name"
                " two members alike"
            )
    try:
        held = Role(role.strip())
    except ValueError:
        raise InvalidStaffMember(
            f"role {role[:20]!r} is not one of {', '.join(r.value for r in Role)}"
        ) from None
    return StaffMember(name, held)


def may(member: StaffMember, permission: Permission) -> bool:
    return member.role in GRANTS[permission]


def same_person(actor: str, other: str) -> bool:
    """Whether two actors name the same person (user names compared regardless of case,
    as identity providers do, of how their letters are composed, and of their
    compatibility forms: `Ａｌｉｃｅ` is `Alice`).  Case is either rule: the common one
    (`ALICE` is `alice`) or the Turkic one of the Kazakh Latin alphabet, where `İ` is the
    capital of `i` and `I` of `ı` (`ALİCE` is `alice`, `ALICE` is `alıce`; folding alone
    made `İ` an `i` with a dot above).  `ı` and `i` stay two letters: `aıdar` is not
    `aidar`."""
    return any(_folded(actor, turkic) == _folded(other, turkic) for turkic in (False, True))


def _folded(name: str, turkic: bool) -> str:
    text = unicodedata.normalize("NFKC", name)
    if turkic:
        text = text.replace("I", "ı").replace("İ", "i")
    return unicodedata.normalize("NFKC", text.casefold()).strip()
