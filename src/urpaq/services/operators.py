"""Register authorised operators and manage their API credentials."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable

from urpaq.domain.operators import (
    AuthorisedOperator,
    Purpose,
    credential_digest,
    same_name,
)
from urpaq.domain.refusals import Refused
from urpaq.services.ports.unit_of_work import UnitOfWork


class OperatorRefused(Refused):
    """An operator request the rules do not allow; `code` names the reason."""


def add_operator(
    uow: UnitOfWork,
    *,
    name: str,
    purposes: frozenset[Purpose],
    pays_heirs: bool = False,
    today: dt.date,
    new_credential: Callable[[], str],
    audit: Callable[[], None] = lambda: None,
) -> str:
    """Register an operator for its purposes, and to pay heirs if `pays_heirs`; return its
    credential, which is never shown again.  `audit` records who did it, before the change
    commits (a change it cannot record is not made); so for every change here."""
    credential = new_credential()
    with uow:
        taken = next((o.name for o in uow.operators.all() if same_name(o.name, name)), None)
        if taken is not None:  # "HALYK BANK" beside "Halyk Bank" would read as one bank
            also = "" if taken == name else f" as {taken!r}"
            raise OperatorRefused(
                "operator_exists", f"operator {name!r} is already registered{also}"
            )
        uow.operators.add(
            name=name, purposes=purposes, pays_heirs=pays_heirs,
            digest=credential_digest(credential), today=today,
        )  # fmt: skip
        audit()
        uow.commit()
    return credential


def rotate_credential(
    uow: UnitOfWork,
    *,
    name: str,
    today: dt.date,
    new_credential: Callable[[], str],
    replacing: str | None = None,
    audit: Callable[[], None] = lambda: None,
) -> str:
    """Issue a new credential for an active operator; the old one stops working at once.
    With `replacing` (a page's mark of the credential it showed, `credential_marks`),
    only if that is still the credential in force: a rotation sent twice (a page
    reloaded) or by two supervisors at once would otherwise replace the credential the
    first just issued, which its bank is being given."""
    credential = new_credential()
    with uow:
        _active(uow, name)
        current = uow.operators.credential_digests().get(name, "")
        if replacing is not None and replacing != _mark(current):
            raise OperatorRefused(
                "credential_replaced",
                f"the credential of {name!r} was replaced since this page was shown: the"
                " one issued then stays in force (rotate it from the list if it must go)",
            )
        uow.operators.replace_credential(
            name=name, digest=credential_digest(credential), today=today
        )
        audit()
        uow.commit()
    return credential


def credential_marks(uow: UnitOfWork) -> dict[str, str]:
    """A short mark of each operator's credential as it stands, which a page's rotation
    form carries (`rotate_credential(replacing=…)`); it reveals nothing of the digest.
    A read, as `operators` is: it waits for no writer (a long import holds the writer)."""
    return {name: _mark(digest) for name, digest in uow.operators.credential_digests().items()}


def _mark(digest: str) -> str:
    return hashlib.sha256(f"urpaq credential mark:{digest}".encode()).hexdigest()[:16]


def grant_purposes(
    uow: UnitOfWork,
    *,
    name: str,
    purposes: frozenset[Purpose],
    pays_heirs: bool = False,
    audit: Callable[[], None] = lambda: None,
) -> AuthorisedOperator:
    """Let an active operator serve more purposes, or pay heirs if `pays_heirs`; what it
    had stays (nothing is taken away here: revoke, and register anew, for that)."""
    with uow:
        operator = _active(uow, name)
        granted = dataclasses.replace(
            operator,
            purposes=operator.purposes | purposes,
            pays_heirs=operator.pays_heirs or pays_heirs,
        )
        uow.operators.replace_purposes(
            name=name, purposes=granted.purposes, pays_heirs=granted.pays_heirs
        )
        audit()
        uow.commit()
    return granted


def revoke_operator(
    uow: UnitOfWork, *, name: str, today: dt.date, audit: Callable[[], None] = lambda: None
) -> None:
    """Stop an operator: its credential no longer works, its history stays."""
    with uow:
        _active(uow, name)
        uow.operators.revoke(name=name, today=today)
        audit()
        uow.commit()


def operator_for_credential(uow: UnitOfWork, *, credential: str) -> AuthorisedOperator | None:
    """The active operator a credential belongs to, or None."""
    operator = uow.operators.with_digest(credential_digest(credential))
    return operator if operator is not None and operator.active else None


def operators(uow: UnitOfWork) -> list[AuthorisedOperator]:
    """Every registered operator, revoked ones included, by name."""
    return uow.operators.all()


def _active(uow: UnitOfWork, name: str) -> AuthorisedOperator:
    operator = uow.operators.named(name)
    if operator is None:
        raise OperatorRefused("unknown_operator", f"there is no operator {name!r}")
    if not operator.active:
        raise OperatorRefused("operator_revoked", f"operator {name!r} was revoked")
    return operator
