"""Register authorised operators and manage their API credentials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from urpaq.domain.operators import (
    AuthorisedOperator,
    Purpose,
    credential_digest,
)
from urpaq.domain.refusals import Refused
from urpaq.services.ports import Store


class OperatorRefused(Refused):
    """An operator request the rules do not allow; `code` names the reason."""


def add_operator(
    store: Store,
    *,
    name: str,
    purposes: frozenset[Purpose],
    today: dt.date,
    new_credential: Callable[[], str],
) -> str:
    """Register an operator; return its credential, which is never shown again."""
    credential = new_credential()
    with store.transaction():
        if store.operator_named(name) is not None:
            raise OperatorRefused("operator_exists", f"operator {name!r} is already registered")
        store.save_operator(
            name=name, purposes=purposes, digest=credential_digest(credential), today=today
        )
    return credential


def rotate_credential(
    store: Store, *, name: str, today: dt.date, new_credential: Callable[[], str]
) -> str:
    """Issue a new credential for an active operator; the old one stops working at once."""
    credential = new_credential()
    with store.transaction():
        _active(store, name)
        store.replace_credential(name=name, digest=credential_digest(credential), today=today)
    return credential


def revoke_operator(store: Store, *, name: str, today: dt.date) -> None:
    """Stop an operator: its credential no longer works, its history stays."""
    with store.transaction():
        _active(store, name)
        store.revoke_operator(name=name, today=today)


def operator_for_credential(store: Store, *, credential: str) -> AuthorisedOperator | None:
    """The active operator a credential belongs to, or None."""
    operator = store.operator_with_digest(credential_digest(credential))
    return operator if operator is not None and operator.active else None


def _active(store: Store, name: str) -> AuthorisedOperator:
    operator = store.operator_named(name)
    if operator is None:
        raise OperatorRefused("unknown_operator", f"there is no operator {name!r}")
    if not operator.active:
        raise OperatorRefused("operator_revoked", f"operator {name!r} was revoked")
    return operator
