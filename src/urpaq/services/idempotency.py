"""Exactly-once writes: the first answer to each idempotency key is kept with the request's
fingerprint; a repeat gets that answer again, another request under the key is refused.

The look-up, the write and the kept answer share one transaction, so two concurrent
requests under one key cannot both act: the second waits for the writer's turn and then
finds the first answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence

from urpaq.domain.audit import AuditEvent
from urpaq.domain.refusals import Refused
from urpaq.services.ports.edge import KeptAnswer
from urpaq.services.ports.unit_of_work import UnitOfWork

KEY_LENGTH_MAX = 200


class IdempotencyKeyReused(Refused):
    """The key is malformed (`invalid_idempotency_key`) or was used before for a
    different request (`idempotency_key_reused`)."""


class AnswerMismatch(RuntimeError):
    """A bug: an answer about to be kept was made for another request."""


def fingerprint(*, method: str, path: str, body: object) -> str:
    """A digest of a request that ignores the spelling of its JSON (key order, spaces)."""
    canonical = json.dumps(
        {"method": method, "path": path, "body": body},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def answer_once(
    uow: UnitOfWork,
    *,
    scope: str,
    key: str,
    request_fingerprint: str,
    act: Callable[[], KeptAnswer],
    now: dt.datetime,
    audit: Callable[[int], Sequence[AuditEvent]],
    new_key_refused: str | None = None,
) -> tuple[KeptAnswer, bool]:
    """Run `act` once per (scope, key) and keep its answer; a repeat returns the kept one.
    The flag says whether the answer is a repeat.  The request's audit events, made by
    `audit` from the answer's status, are recorded durably before the answer commits:
    money never moves unrecorded, and a failed record moves no money.

    `act` runs inside this unit of work (a service it calls writes with `joined=True`)
    and must raise nothing after it has written: refusals are answers too, decided
    before anything is written, and are kept like any other answer.

    `new_key_refused`, when given, says why `key` may not begin a write (a form the
    caller no longer takes): it is refused as `invalid_idempotency_key` unless an answer
    is already kept under it, which a repeat still gets — a write made before the rule
    must stay knowable."""
    if not key or len(key) > KEY_LENGTH_MAX:
        raise IdempotencyKeyReused(
            "invalid_idempotency_key",
            f"an idempotency key is 1–{KEY_LENGTH_MAX} characters",
        )
    with uow.shared():  # beside other requests; the key is held, so a repeat waits
        uow.edge.lock_key(scope=scope, key=key)
        kept = uow.edge.kept_answer(scope=scope, key=key)
        if kept is not None:
            if kept.fingerprint != request_fingerprint:
                raise IdempotencyKeyReused(
                    "idempotency_key_reused",
                    f"idempotency key {key!r} was used for a different request",
                )
            _record(uow, audit(kept.status))
            uow.commit()
            return kept, True
        if new_key_refused is not None:
            raise IdempotencyKeyReused("invalid_idempotency_key", new_key_refused)
        answer = act()
        if answer.fingerprint != request_fingerprint:
            raise AnswerMismatch(f"the answer kept under {key!r} is for another request")
        uow.edge.keep_answer(scope=scope, key=key, answer=answer, now=now)
        # Recorded before the commit: no answer leaves unrecorded, and an audit log that
        # cannot be written stops the payout.
        _record(uow, audit(answer.status))
        uow.commit()
        return answer, False


def _record(uow: UnitOfWork, events: Sequence[AuditEvent]) -> None:
    """Record a request's events, each durable before this returns (written together)."""
    for written in [uow.serving.record_later(event) for event in events]:
        written.result()
