"""The authorised operators' API end to end: a real server on loopback, real HTTP, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api_server import serving
from urpaq.adapters.sql.connection import SqlConnection
from urpaq.adapters.sql.serving import SqlServing
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.iin import Iin
from urpaq.domain.operators import AuthorisedOperator, Purpose
from urpaq.entrypoints.http import api as api_module
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.context import Clock
from urpaq.entrypoints.http.credentials import CREDENTIAL_BELIEVED_SECONDS, BelievedCredentials
from urpaq.services import payouts as payout_service
from urpaq.services.audit import audit_events
from urpaq.services.operators import revoke_operator
from urpaq.services.reconciliation import reconcile
from urpaq.services.statements import statement_of
from world import (
    ADULT,
    DEAD_CHILD,
    LATE_ADULT,
    MINOR,
    TODAY,
    UNKNOWN,
    add_bank,
    add_dead_child,
    build_world,
    tamper,
)

NOW = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)  # 11:00 in Kazakhstan, on TODAY
EDUCATION_KEY = "education-bank-credential"
HOUSING_KEY = "housing-bank-credential"
HEIRS_KEY = "heirs-bank-credential"  # education, and heirs' payouts
OTHER_HEIRS_KEY = "other-heirs-bank-credential"  # housing, and heirs' payouts
HEIR = "850201300128"


@dataclass
class Api:
    url: str
    uow: SqlUnitOfWork
    database_url: str

    def client(self, credential: str | None = EDUCATION_KEY) -> httpx.Client:
        headers = {"Authorization": f"Bearer {credential}"} if credential else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture
def api(uow: SqlUnitOfWork, database_url: str, tmp_path: Path) -> Iterator[Api]:
    build_world(uow, tmp_path)
    add_bank(uow, name="Education Bank", purposes=frozenset({Purpose.EDUCATION}),
             credential=EDUCATION_KEY)  # fmt: skip
    add_bank(uow, name="Housing Bank", purposes=frozenset({Purpose.HOUSING}),
             credential=HOUSING_KEY)  # fmt: skip
    add_bank(uow, name="Heirs Bank", purposes=frozenset({Purpose.EDUCATION}),
             credential=HEIRS_KEY, pays_heirs=True)  # fmt: skip
    add_bank(uow, name="Other Heirs Bank", purposes=frozenset({Purpose.HOUSING}),
             credential=OTHER_HEIRS_KEY, pays_heirs=True)  # fmt: skip
    app = create_app(database_url=database_url, clock=Clock(now=lambda: NOW))
    with serving(app) as url:
        yield Api(url, uow, database_url)


def payout_body(iin: object = ADULT, amount: str = "60.00", **changes: str) -> dict[str, str]:
    body = {
        "iin": str(iin), "amount": amount, "currency": "USD", "purpose": "education",
        "sub_purpose": "tuition_period", "account": "KZ86125KZT5004100100",
    }  # fmt: skip
    body.update(changes)
    return body


def heir_body(amount: str = "40.00", **changes: str) -> dict[str, str]:
    """An heir's payout from LATE_ADULT's frozen 100.00, on a certificate for a half."""
    body = {
        "iin": str(LATE_ADULT), "amount": amount, "currency": "USD",
        "notary_certificate": "2025/118", "account": "KZ11HEIR0001",
        "notary": "Notary A. Seitkali, Astana", "heir_iin": HEIR, "share": "1/2",
    }  # fmt: skip
    body.update(changes)
    return {name: value for name, value in body.items() if value != "-"}


def post(client: httpx.Client, path: str, body: object, key: str) -> httpx.Response:
    return client.post(path, json=body, headers={"Idempotency-Key": key})


def available(api: Api, iin: Iin = ADULT) -> str:
    """The person's target savings, read from the database directly."""
    return str(payout_service.savings_holder(api.uow, iin=iin, today=TODAY).available)


def test_health_and_the_openapi_document_are_served(api: Api) -> None:
    """/healthz answers 200; the OpenAPI document lists every operator route."""
    with api.client(None) as client:
        assert client.get("/healthz").status_code == 200
        document = client.get("/api/v1/openapi.json").json()
    assert set(document["paths"]) == {
        "/api/v1/savings/{iin}", "/api/v1/payouts", "/api/v1/payouts/{payout_id}",
        "/api/v1/payouts/{payout_id}/confirmation", "/api/v1/payouts/{payout_id}/return",
        "/api/v1/heir-payouts", "/api/v1/heir-payouts/{payout_id}",
        "/api/v1/heir-payouts/{payout_id}/return",
    }  # fmt: skip
    # The statuses it lists are those the API gives: 413 for a body too large, 400 only
    # for a length given twice (a body it cannot read is 422), 405 for another method;
    # with the headers they carry (the document named none of them).
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            answers = operation["responses"]
            assert {"400", "401", "405", "413", "422", "500", "503"} <= set(answers), path
            assert all("X-Request-Id" in answer["headers"] for answer in answers.values())
            assert "WWW-Authenticate" in answers["401"]["headers"], path
            assert "Retry-After" in answers["503"]["headers"], path
            if method == "post":
                own = answers["201" if "201" in answers else "200"]
                assert "Idempotent-Replayed" in own["headers"], path
    assert "`unvouched`" in document["paths"]["/api/v1/payouts"]["post"]["description"]
    schemas = document["components"]["schemas"]
    for answer in ("Savings", "PayoutAnswer", "HeirPayoutAnswer"):  # `currency` was optional
        assert set(schemas[answer]["properties"]) == set(schemas[answer]["required"]), answer
    assert "`unvouched`" in document["paths"]["/api/v1/heir-payouts"]["post"]["description"]


def test_savings_are_shown_only_to_an_operator_and_only_for_holders(api: Api) -> None:
    """A holder's balance is shown; a minor and an unknown IIN get the same 404."""
    with api.client() as client:
        holder = client.get(f"/api/v1/savings/{ADULT}")
        minor = client.get(f"/api/v1/savings/{MINOR}")
        unknown = client.get(f"/api/v1/savings/{UNKNOWN}")
        late = client.get(f"/api/v1/savings/{LATE_ADULT}")
    assert holder.json() == {
        "iin": str(ADULT), "available": "100.00", "currency": "USD", "frozen": False
    }  # fmt: skip
    assert (minor.status_code, unknown.status_code) == (404, 404)
    assert minor.json() == unknown.json() == {
        "error": "no_target_savings", "message": "no target savings for this IIN"
    }  # fmt: skip
    assert late.json()["frozen"] is True


@pytest.mark.parametrize("credential", [None, "not-a-credential", "revoked"])
def test_requests_without_a_valid_credential_get_401(api: Api, credential: str | None) -> None:
    """No credential, an unknown one and a revoked one are all 401, revealing nothing."""
    if credential == "revoked":
        revoke_operator(api.uow, name="Education Bank", today=TODAY)
        credential = EDUCATION_KEY
    with api.client(credential) as client:
        answer = client.get(f"/api/v1/savings/{ADULT}")
        write = post(client, "/api/v1/payouts", payout_body(), "k")
    assert (answer.status_code, write.status_code) == (401, 401)
    assert answer.json()["error"] == "unauthenticated"
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert available(api) == "100.00"


def test_two_credentials_in_one_request_are_401(api: Api) -> None:
    """Two `Authorization` headers, each an operator's: the first was believed, so a
    proxy or a log reading the second named another bank than the one that acted."""
    two = [("Authorization", f"Bearer {EDUCATION_KEY}"), ("Authorization", f"Bearer {HOUSING_KEY}")]
    with httpx.Client(base_url=api.url, timeout=60) as client:
        read = client.get(f"/api/v1/savings/{ADULT}", headers=two)
        paid = client.post("/api/v1/payouts", json=payout_body(),
                           headers=[*two, ("Idempotency-Key", "k")])  # fmt: skip
    assert (read.status_code, paid.status_code) == (401, 401), (read.text, paid.text)
    assert available(api) == "100.00"


def test_a_credential_revoked_elsewhere_stops_payouts_at_once_and_reads_within_a_second(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    """Revoked from another process (here: the store directly, as `urpaq operator
    revoke` does), a credential this server found active a moment ago still reads for
    `CREDENTIAL_BELIEVED_SECONDS`, and then no more; a payout asks at once and is 401."""
    build_world(uow, tmp_path)
    add_bank(uow, name="Education Bank", purposes=frozenset({Purpose.EDUCATION}),
             credential=EDUCATION_KEY)  # fmt: skip
    moment = [100.0]
    app = create_app(database_url=database_url, clock=Clock(now=lambda: NOW))
    app.state.credentials = BelievedCredentials(clock=lambda: moment[0])
    with (
        serving(app) as url,
        httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {EDUCATION_KEY}"}, timeout=60
        ) as client,
    ):
        assert client.get(f"/api/v1/savings/{ADULT}").status_code == 200
        revoke_operator(uow, name="Education Bank", today=TODAY)
        moment[0] += CREDENTIAL_BELIEVED_SECONDS / 2
        still = client.get(f"/api/v1/savings/{ADULT}")
        paid = post(client, "/api/v1/payouts", payout_body(), "revoked-1")
        moment[0] += CREDENTIAL_BELIEVED_SECONDS / 2
        later = client.get(f"/api/v1/savings/{ADULT}")
    assert (still.status_code, paid.status_code, later.status_code) == (200, 401, 401)
    assert available(Api(url, uow, database_url)) == "100.00"


def test_a_credential_revoked_while_a_payouts_body_is_on_its_way_moves_no_money(
    uow: SqlUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    """The credential is checked before the body is read; a caller who sent the head, then
    the body once the credential was revoked, was paid (201): the caller held the window
    between the check and the payout open for as long as the request may last."""
    build_world(uow, tmp_path)
    add_bank(uow, name="Education Bank", purposes=frozenset({Purpose.EDUCATION}),
             credential=EDUCATION_KEY)  # fmt: skip
    app = create_app(database_url=database_url, clock=Clock(now=lambda: NOW))
    body = json.dumps(payout_body()).encode()

    def slowly() -> Iterator[bytes]:
        yield body[:10]
        deadline = time.monotonic() + 30
        while len(app.state.credentials) == 0:  # the head's credential was found active
            assert time.monotonic() < deadline, "the credential was never checked"
            time.sleep(0.01)
        revoke_operator(uow, name="Education Bank", today=TODAY)
        yield body[10:]

    headers = {"Authorization": f"Bearer {EDUCATION_KEY}", "Idempotency-Key": "slow-1",
               "Content-Type": "application/json"}  # fmt: skip
    with serving(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        paid = client.post("/api/v1/payouts", content=slowly(), headers=headers)
    assert paid.status_code == 401, paid.text
    assert available(Api(url, uow, database_url)) == "100.00"
    events = [e for e in audit_events(uow, limit=10) if e.action == "POST /api/v1/payouts"]
    assert [(e.actor, e.outcome) for e in events] == [("unauthenticated", 401)]


def test_a_process_keeps_only_credentials_found_active_and_a_bounded_number() -> None:
    """Nothing is kept of an unknown or revoked credential; a revocation seen by a
    request that asks forgets the one kept; the oldest go past the bound; an answer
    the database gave before this process forgot everything is not kept."""
    moment = [0.0]
    believed = BelievedCredentials(believed_seconds=1.0, kept_max=2, clock=lambda: moment[0])
    bank = AuthorisedOperator("Bank", frozenset({Purpose.HOUSING}), active=True)
    believed.found("unknown", None, asked_in=0)
    believed.found("revoked", dataclasses.replace(bank, active=False), asked_in=0)
    assert len(believed) == 0 and believed.believed("unknown") is None
    believed.found("a", bank, asked_in=0)
    believed.found("b", bank, asked_in=0)
    assert believed.believed("a") == bank  # now used after "b"
    believed.found("c", bank, asked_in=0)
    assert (believed.believed("b"), believed.believed("a"), len(believed)) == (None, bank, 2)
    believed.found("a", None, asked_in=0)
    assert believed.believed("a") is None and believed.believed("c") == bank
    moment[0] = 1.0
    assert believed.believed("c") is None and len(believed) == 0
    believed.found("c", bank, asked_in=0)
    believed.forget_all()
    assert believed.believed("c") is None
    # An answer asked for before a revocation here, back after it, is not kept.
    believed.found("c", bank, asked_in=0)
    assert believed.believed("c") is None
    believed.found("c", bank, asked_in=believed.generation)
    assert believed.believed("c") == bank


@pytest.mark.parametrize(
    ("credential", "body", "status", "code"),
    [
        (HOUSING_KEY, payout_body(), 403, "purpose_not_served"),
        (EDUCATION_KEY, payout_body(UNKNOWN), 404, "no_target_savings"),
        (EDUCATION_KEY, payout_body(MINOR), 404, "no_target_savings"),
        (EDUCATION_KEY, payout_body(LATE_ADULT), 409, "deceased"),
        (EDUCATION_KEY, payout_body(amount="100.01"), 409, "insufficient_savings"),
    ],
)
def test_payout_refusals_over_http(
    api: Api, credential: str, body: dict[str, str], status: int, code: str
) -> None:
    """Each refusal has its status and names its reason; no money moves."""
    with api.client(credential) as client:
        answer = post(client, "/api/v1/payouts", body, "refused")
    assert (answer.status_code, answer.json()["error"]) == (status, code)
    assert str(body["iin"]) not in answer.text
    assert available(api) == "100.00"


def test_the_payout_route_reveals_no_more_than_the_balance(api: Api, tmp_path: Path) -> None:
    """A minor, a deceased child and an unknown IIN: the payout route answers each exactly
    as the balance does (404 `no_target_savings`), so it cannot tell them apart either."""
    add_dead_child(api.uow, tmp_path)
    answers = set()
    with api.client() as client:
        for number, iin in enumerate((MINOR, DEAD_CHILD, UNKNOWN)):
            balance = client.get(f"/api/v1/savings/{iin}")
            payout = post(client, "/api/v1/payouts", payout_body(iin, "0.01"), f"probe-{number}")
            answers |= {(balance.status_code, balance.text), (payout.status_code, payout.text)}
    assert answers == {
        (404, '{"error":"no_target_savings","message":"no target savings for this IIN"}')
    }


@pytest.mark.parametrize(
    ("body", "headers", "field", "shown"),
    [
        (payout_body(iin="060303500011"), {}, "iin", None),
        (payout_body(amount="6x"), {}, "amount", "'6x'"),
        (payout_body(amount="0.00"), {}, "amount", "'0.00'"),
        (payout_body(amount="01.00"), {}, "amount", "'01.00'"),
        (payout_body(amount="00.50"), {}, "amount", "'00.50'"),
        (payout_body(currency="EUR"), {}, "currency", "'EUR'"),
        (payout_body(sub_purpose="purchase"), {}, "sub_purpose", None),
        ({**payout_body(), "colour": "red"}, {}, "colour", None),
        (payout_body(), {"Idempotency-Key": ""}, "header.Idempotency-Key", None),
    ],
)
def test_malformed_requests_get_422_naming_the_field(
    api: Api, body: dict[str, str], headers: dict[str, str], field: str, shown: str | None
) -> None:
    """A malformed request names the offending field (and a non-personal value), never
    the IIN."""
    with api.client() as client:
        answer = client.post(
            "/api/v1/payouts", json=body, headers={"Idempotency-Key": "k", **headers}
        )
    assert answer.status_code == 422
    problems = answer.json()["fields"]
    assert any(field in problem["field"] for problem in problems), problems
    if shown is not None:
        assert shown in answer.text
    assert str(ADULT)[:11] not in answer.text


@pytest.mark.parametrize(
    ("body", "headers", "code"),
    [
        (payout_body(amount="0.00"), {"Idempotency-Key": "k"}, "invalid_amount"),
        (payout_body(amount="-1.00"), {"Idempotency-Key": "k"}, "invalid_request"),
        (payout_body(amount="0.00", currency="EUR"), {"Idempotency-Key": "k"}, "invalid_request"),
        (payout_body(), {"Idempotency-Key": ""}, "invalid_idempotency_key"),
        (payout_body(), {"Idempotency-Key": "k" * 201}, "invalid_idempotency_key"),
        (payout_body(), {}, "invalid_idempotency_key"),
    ],
)
def test_an_amount_that_is_not_positive_and_a_bad_key_get_their_own_codes(
    api: Api, body: dict[str, str], headers: dict[str, str], code: str
) -> None:
    """As docs/api.md lists them: an amount of 0.00 alone is `invalid_amount`, a missing,
    empty or too long `Idempotency-Key` alone `invalid_idempotency_key` — each still naming
    the field; anything else malformed as well (or an amount that is no amount) is
    `invalid_request`."""
    with api.client() as client:
        answer = client.post("/api/v1/payouts", json=body, headers=headers)
        heirs = client.post(
            "/api/v1/heir-payouts", json=heir_body(amount=body["amount"]), headers=headers
        )
    assert answer.status_code == 422 and answer.json()["error"] == code, answer.text
    assert answer.json()["fields"]
    if code == "invalid_amount":
        assert heirs.status_code == 422 and heirs.json()["error"] == code, heirs.text


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"amount": "01.00"}, "amount", "must be dollars and exactly two decimals, without a"
         " leading zero, at most 13 digits before the point (such as 60.00) (got '01.00')"),
        ({"amount": "99999999999999.99"}, "amount", "must be dollars and exactly two"
         " decimals, without a leading zero, at most 13 digits before the point (such as"
         " 60.00) (got '99999999999999.99')"),
        ({"account": "kz86 125"}, "account", "must be 1–34 capital Latin letters and digits"),
        ({"iin": "0603035"}, "iin", "must be exactly 12 digits"),
    ],
)  # fmt: skip
def test_a_field_that_does_not_match_its_shape_is_told_the_shape_in_words(
    api: Api, changes: dict[str, str], field: str, problem: str
) -> None:
    """Not the pattern a field is checked with: what it must be."""
    with api.client() as client:
        answer = post(client, "/api/v1/payouts", payout_body(**changes), "k")
    assert answer.status_code == 422
    assert answer.json()["fields"] == [{"field": field, "problem": problem}]


def test_a_document_reference_too_long_is_told_its_length(api: Api) -> None:
    with api.client() as client:
        paid = post(client, "/api/v1/payouts", payout_body(amount="10.00"), "long-document")
        answer = client.post(
            f"/api/v1/payouts/{paid.json()['payout_id']}/confirmation",
            json={"documents": ["contract 1", "x" * 101]},
            headers={"Idempotency-Key": "confirm-long"},
        )
    assert answer.status_code == 422, answer.text
    assert answer.json()["fields"] == [
        {"field": "documents.1", "problem": "must be 1–100 characters long"}
    ]


def test_two_different_idempotency_keys_in_one_request_are_refused(api: Api) -> None:
    """A request carrying two different keys (a proxy or a library adding its own) is
    refused: a repeat under either key would otherwise pay again.  The same key twice is
    one key."""
    with api.client() as client:
        two = client.post(
            "/api/v1/payouts",
            json=payout_body(),
            headers=[("Idempotency-Key", "ka"), ("Idempotency-Key", "kb")],
        )
        assert available(api) == "100.00"
        same = client.post(
            "/api/v1/payouts",
            json=payout_body(),
            headers=[("Idempotency-Key", "ka"), ("Idempotency-Key", "ka")],
        )
    assert (two.status_code, two.json()["error"]) == (422, "invalid_idempotency_key"), two.text
    assert two.json()["fields"][0]["field"] == "header.Idempotency-Key"
    assert same.status_code == 201, same.text
    assert available(api) == "40.00"


def test_two_keys_joined_into_one_header_line_are_refused(api: Api) -> None:
    """`Idempotency-Key: ka, kb` (two keys as a proxy or a library joins a header given
    twice) was taken for a third key: the payout was made, and a repeat under `ka`
    alone paid again."""
    with api.client() as client:
        joined = client.post(
            "/api/v1/payouts",
            json=payout_body(amount="2.00"),
            headers={"Idempotency-Key": "ka, kb"},
        )
        alone = post(client, "/api/v1/payouts", payout_body(amount="2.00"), "ka")
    assert (joined.status_code, joined.json()["error"]) == (422, "invalid_idempotency_key")
    [field] = joined.json()["fields"]
    assert field["field"] == "header.Idempotency-Key"
    assert "comma" in field["problem"]
    assert alone.status_code == 201, alone.text
    assert available(api) == "98.00"


def test_a_write_made_under_a_comma_key_before_the_rule_is_still_answered(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bank that wrote under `order-17,try-1` before keys with a comma were refused,
    and lost the answer, repeats the request: it gets the first answer again (it got
    422 and, told to use another key, would have paid again)."""
    body = payout_body(amount="3.00")
    with api.client() as client:
        monkeypatch.setattr(api_module, "_COMMA_IN_KEY", None)  # as before the rule
        first = post(client, "/api/v1/payouts", body, "order-17,try-1")
        monkeypatch.undo()
        repeat = post(client, "/api/v1/payouts", body, "order-17,try-1")
        other = post(client, "/api/v1/payouts", payout_body(amount="4.00"), "order-17,try-1")
        new = post(client, "/api/v1/payouts", body, "order-18,try-1")
    assert (first.status_code, repeat.status_code) == (201, 201), repeat.text
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert repeat.json() == first.json()
    assert (other.status_code, other.json()["error"]) == (409, "idempotency_key_reused")
    assert (new.status_code, new.json()["error"]) == (422, "invalid_idempotency_key")
    assert new.json()["fields"][0]["field"] == "header.Idempotency-Key"
    assert available(api) == "97.00"


def test_a_body_with_a_byte_order_mark_is_read(api: Api) -> None:
    """UTF-8 with a byte-order mark before it is UTF-8."""
    with api.client() as client:
        answer = client.post(
            "/api/v1/payouts",
            content=b"\xef\xbb\xbf" + json.dumps(payout_body()).encode(),
            headers={"Idempotency-Key": "k", "Content-Type": "application/json"},
        )
    assert answer.status_code == 201, answer.text


def _twice(name: str, first: str, then: str) -> bytes:
    """A payout's body with the field `name` given twice (`first`, then `then`)."""
    fields = [f'"{k}": "{v}"' for k, v in payout_body().items() if k != name]
    return (
        "{" + ", ".join([f'"{name}": "{first}"', *fields, f'"{name}": "{then}"']) + "}"
    ).encode()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"iin": "\xff\xfe"}', "is not JSON: not UTF-8"),
        (b'{"iin": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested too deeply"),
        (_twice("amount", "0.01", "60.00"), "is not JSON: the field 'amount' is given twice"),
        (_twice("iin", "150101500011", str(ADULT)), "the field 'iin' is given twice"),
        (json.dumps(payout_body()).encode("utf-16"), "is not JSON: not UTF-8"),
        (json.dumps(payout_body())[:-1].encode() + b', "n": ' + b"1" * 5001 + b"}",
         "is not JSON: a number of more digits than are read"),
    ],
    ids=["not UTF-8", "nested too deeply", "amount twice", "iin twice", "UTF-16", "long number"],
)  # fmt: skip
def test_a_body_that_cannot_be_parsed_is_422_naming_the_body(
    api: Api, content: bytes, problem: str
) -> None:
    """As any body that is not JSON: 422 `invalid_request` naming `body`, nothing paid. A
    field given twice was read as its last value (and paid: 60.00, where a gateway that
    read the first saw 0.01), a body in UTF-16 was read too."""
    with api.client() as client:
        answer = client.post(
            "/api/v1/payouts",
            content=content,
            headers={"Idempotency-Key": "k", "Content-Type": "application/json"},
        )
    assert (answer.status_code, answer.json()["error"]) == (422, "invalid_request"), answer.text
    [field] = answer.json()["fields"]
    assert field["field"] == "body" and problem in field["problem"], field
    assert available(api) == "100.00"


@pytest.mark.parametrize("content_type", [None, "text/plain"])
def test_json_sent_as_something_else_is_named_so(api: Api, content_type: str | None) -> None:
    """A payout's JSON sent without `Content-Type: application/json` was refused as "Input
    should be a valid dictionary": the bank is told what to send instead."""
    headers = {"Idempotency-Key": "k"} | (
        {} if content_type is None else {"Content-Type": content_type}
    )
    with api.client() as client:
        answer = client.post("/api/v1/payouts", content=json.dumps(payout_body()), headers=headers)
    assert (answer.status_code, answer.json()["error"]) == (422, "invalid_request"), answer.text
    (problem,) = answer.json()["fields"]
    assert problem["field"] == "body" and "Content-Type: application/json" in problem["problem"]
    assert available(api) == "100.00"


def test_a_content_type_given_twice_with_two_values_is_refused(api: Api) -> None:
    """`Content-Type: application/json` then `text/plain` paid (201): the first was
    read; in the other order the body was refused as not JSON. Neither is paid now."""
    body = json.dumps(payout_body()).encode()
    for order, types in enumerate([("application/json", "text/plain"),
                                   ("text/plain", "application/json")]):  # fmt: skip
        headers = [("Idempotency-Key", f"k{order}"), *(("Content-Type", t) for t in types)]
        with api.client() as client:
            answer = client.post("/api/v1/payouts", content=body, headers=headers)
        assert (answer.status_code, answer.json()["error"]) == (422, "invalid_request")
        assert answer.json()["fields"] == [{
            "field": "header.Content-Type",
            "problem": "is given more than once, with different values: send one",
        }]  # fmt: skip
    assert available(api) == "100.00"
    with api.client() as client:  # one type spelled twice is one type
        headers = [("Idempotency-Key", "k2"), ("Content-Type", "application/json"),
                   ("Content-Type", "Application/JSON; charset=utf-8")]  # fmt: skip
        paid = client.post("/api/v1/payouts", content=body, headers=headers)
    assert paid.status_code == 201, paid.text


def test_a_key_too_long_is_measured_in_bytes_and_a_boolean_spelled_as_json(api: Api) -> None:
    """A key of 104 characters outside ASCII (208 bytes) was said to have "at most 200
    characters"; `"amount": true` was said to be `(got True)`, Python's spelling."""
    with api.client() as client:
        long_key = client.post(
            "/api/v1/payouts", json=payout_body(), headers={"Idempotency-Key": ("é" * 104).encode()}
        )
        boolean = post(client, "/api/v1/payouts", {**payout_body(), "amount": True}, "k")
    [key] = long_key.json()["fields"]
    assert key["field"] == "header.Idempotency-Key" and "200 bytes" in key["problem"], key
    assert "characters" not in key["problem"].split("(")[0]
    [amount] = boolean.json()["fields"]
    assert amount["problem"].endswith("(got true)"), amount


def test_an_invalid_iin_in_the_path_is_422_without_echoing_it(api: Api) -> None:
    """Named `path.iin` whatever is wrong with it (a wrong check digit was named `iin`, as
    if a GET had a body, and a wrong length `path.iin`)."""
    with api.client() as client:
        answer = client.get("/api/v1/savings/060303500011")
        short = client.get("/api/v1/savings/06030350001")
    assert answer.status_code == 422
    assert answer.json()["fields"] == [
        {"field": "path.iin", "problem": "not a valid IIN: check digit is 1, expected 0"}
    ]
    assert answer.json()["message"] == "the request has invalid fields: path.iin"
    assert "060303500011" not in answer.text
    assert short.status_code == 422 and short.json()["fields"][0]["field"] == "path.iin"


def test_a_repeated_write_returns_the_first_answer_and_moves_money_once(api: Api) -> None:
    """Same key and body: the first answer again; same key, other body: 409."""
    with api.client() as client:
        first = post(client, "/api/v1/payouts", payout_body(), "payout-1")
        again = post(client, "/api/v1/payouts", payout_body(), "payout-1")
        other = post(client, "/api/v1/payouts", payout_body(amount="10.00"), "payout-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert (other.status_code, other.json()["error"]) == (409, "idempotency_key_reused")
    assert available(api) == "40.00"


def test_idempotency_keys_belong_to_one_operator(api: Api) -> None:
    """Two operators may choose the same key without meeting each other's answers."""
    with api.client(EDUCATION_KEY) as education, api.client(HOUSING_KEY) as housing:
        paid = post(education, "/api/v1/payouts", payout_body(amount="10.00"), "same")
        housed = post(housing, "/api/v1/payouts", payout_body(
            amount="20.00", purpose="housing", sub_purpose="purchase"), "same")  # fmt: skip
    assert (paid.status_code, housed.status_code) == (201, 201)
    assert paid.json()["payout_id"] != housed.json()["payout_id"]
    assert available(api) == "70.00"


def test_pay_confirm_return_and_look_up_payouts(api: Api) -> None:
    """The whole path: pay twice, confirm one, return the other; the statement shows it."""
    with api.client() as client:
        used = post(client, "/api/v1/payouts", payout_body(amount="60.00"), "a").json()
        unused = post(client, "/api/v1/payouts", payout_body(amount="30.00"), "b").json()
        confirmed = post(client, f"/api/v1/payouts/{used['payout_id']}/confirmation",
                         {"documents": ["contract 17/2026", "invoice 4411"]}, "c")  # fmt: skip
        returned = client.post(
            f"/api/v1/payouts/{unused['payout_id']}/return", headers={"Idempotency-Key": "d"}
        )
        late = client.post(
            f"/api/v1/payouts/{used['payout_id']}/return", headers={"Idempotency-Key": "e"}
        )
        looked_up = client.get(f"/api/v1/payouts/{used['payout_id']}")
    with api.client(HOUSING_KEY) as housing:
        foreign = housing.get(f"/api/v1/payouts/{used['payout_id']}")
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed")
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    assert (late.status_code, late.json()["error"]) == (409, "payout_closed")
    assert looked_up.json()["status"] == "confirmed"
    assert used["return_due_on"] == looked_up.json()["return_due_on"] == "2027-01-28"
    assert (foreign.status_code, foreign.json()["error"]) == (404, "unknown_payout")
    assert available(api) == "40.00"
    kinds = [line.kind for line in statement_of(api.uow, iin=ADULT).lines
             if line.account == "target_savings"]  # fmt: skip
    assert kinds == ["maturity", "payout", "payout", "return"]
    assert all(check.holds for check in reconcile(api.uow))


def test_a_confirmation_after_the_deadline_is_refused_before_settlement(api: Api) -> None:
    """A payout whose 45 working days ended before today cannot be confirmed, even if the
    daily settlement has not run; it stays open until the settlement returns it."""
    with api.client() as client:
        paid = post(client, "/api/v1/payouts", payout_body(amount="10.00"), "late").json()
        tamper(  # as if paid in January, and the settlement had not run since
            api.uow,
            "UPDATE payout SET requested_on = '2026-01-05', return_due_on = '2026-03-10'"
            f" WHERE payout_id = '{paid['payout_id']}'",
        )
        confirmed = post(client, f"/api/v1/payouts/{paid['payout_id']}/confirmation",
                         {"documents": ["late contract"]}, "late-confirmation")  # fmt: skip
        looked_up = client.get(f"/api/v1/payouts/{paid['payout_id']}")
    assert (confirmed.status_code, confirmed.json()["error"]) == (409, "deadline_passed")
    assert "2026-03-10" in confirmed.json()["message"]
    assert looked_up.json()["status"] == "paid"
    assert looked_up.json()["return_due_on"] == "2026-03-10"
    assert available(api) == "90.00"


def test_an_operator_lists_its_payouts_of_a_day_a_page_at_a_time(api: Api) -> None:
    """A bank reconciles its books with the ledger a day at a time: its own payouts and
    heirs' payouts of the day, in the order of their ids, a page at a time; never
    another operator's; each person listed is recorded as read."""
    with api.client(HEIRS_KEY) as heirs, api.client(HOUSING_KEY) as housing:
        made = [
            post(heirs, "/api/v1/payouts", payout_body(amount=f"{n}.00"), f"k{n}").json()
            for n in (1, 2, 3)
        ]
        heir = post(heirs, "/api/v1/heir-payouts", heir_body(), "h").json()
        housed = payout_body(amount="5.00", purpose="housing", sub_purpose="purchase")
        post(housing, "/api/v1/payouts", housed, "x")
        first = heirs.get("/api/v1/payouts", params={"paid_on": TODAY.isoformat(), "limit": 3})
        rest = heirs.get(
            "/api/v1/payouts",
            params={"paid_on": TODAY.isoformat(), "after": first.json()["next_after"]},
        )
        one_by_one, after = [], None
        while True:  # a page of one at a time, through both kinds of payout
            page = heirs.get(
                "/api/v1/payouts",
                params={"paid_on": TODAY.isoformat(), "limit": 1}
                | ({"after": after} if after else {}),
            ).json()
            one_by_one += page["payouts"]
            if (after := page["next_after"]) is None:
                break
        other_day = heirs.get("/api/v1/payouts", params={"paid_on": "2026-11-19"})
        theirs = housing.get("/api/v1/payouts", params={"paid_on": TODAY.isoformat()})
        refused = [
            heirs.get("/api/v1/payouts", params=params)
            for params in ({}, {"paid_on": "2026-02-30"}, {"paid_on": "20261120"},
                           {"paid_on": "2026-11-20", "limit": 1001},
                           {"paid_on": "2026-11-20", "after": "x"},
                           [("paid_on", "2026-11-20"), ("paid_on", "2026-11-19")])
        ]  # fmt: skip
    assert first.status_code == rest.status_code == 200, (first.text, rest.text)
    listed = first.json()["payouts"] + rest.json()["payouts"]
    assert rest.json()["next_after"] is None
    ids = [*(p["payout_id"] for p in made), heir["payout_id"]]
    assert sorted(p["payout_id"] for p in listed) == sorted(ids)
    assert [p["payout_id"] for p in listed] == sorted(p["payout_id"] for p in listed)
    one = next(p for p in listed if p["payout_id"] == made[0]["payout_id"])
    assert one == {
        "payout_id": made[0]["payout_id"], "iin": str(ADULT), "paid_on": TODAY.isoformat(),
        "status": "paid", "amount": "1.00", "currency": "USD", "purpose": "education",
        "sub_purpose": "tuition_period", "return_due_on": made[0]["return_due_on"],
        "closed_on": None,
    }  # fmt: skip
    inherited = next(p for p in listed if p["payout_id"] == heir["payout_id"])
    assert (inherited["purpose"], inherited["status"]) == ("inheritance", "paid_to_heir")
    assert (inherited["iin"], inherited["return_due_on"]) == (str(LATE_ADULT), None)
    assert other_day.json() == {"payouts": [], "next_after": None}
    assert [p["amount"] for p in theirs.json()["payouts"]] == ["5.00"]
    assert [p["payout_id"] for p in one_by_one] == [p["payout_id"] for p in listed]
    assert [r.status_code for r in refused] == [422] * 6
    assert refused[5].json()["fields"] == [
        {"field": "query.paid_on", "problem": "is given more than once: give it once"}
    ]
    assert "paid_on" in refused[1].text and "'2026-02-30' is not a day" in refused[1].text
    # Who read each person: the bank's lists, about each one they showed.
    shown = audit_events(api.uow, iin=str(LATE_ADULT), action="(shown)")
    assert [(e.actor, e.action) for e in shown] == [  # the two lists that showed them
        ("operator:Heirs Bank", "GET /api/v1/payouts (shown)")
    ] * 2


def test_heirs_are_paid_a_deceased_holders_frozen_savings(api: Api) -> None:
    """On a notary's certificate each, in parts, up to each heir's share; a living
    holder's heirs get nothing."""
    second_heir = {"notary_certificate": "2025/119", "heir_iin": "881112400347"}
    with api.client(HEIRS_KEY) as client:
        first = post(client, "/api/v1/heir-payouts", heir_body("40.00"), "heir-1")
        beyond = post(client, "/api/v1/heir-payouts", heir_body("10.01"), "heir-2")
        rest = post(client, "/api/v1/heir-payouts", heir_body("10.00"), "heir-3")
        other = post(client, "/api/v1/heir-payouts", heir_body("50.00", **second_heir), "heir-4")
        alive = post(client, "/api/v1/heir-payouts", heir_body(iin=str(ADULT)), "heir-5")
    assert (first.status_code, first.json()) == (201, {
        "payout_id": first.json()["payout_id"], "status": "paid_to_heir", "amount": "40.00",
        "currency": "USD", "notary_certificate": "2025/118",
    })  # fmt: skip
    assert (beyond.status_code, beyond.json()["error"]) == (409, "share_exceeded")
    assert (rest.status_code, other.status_code) == (201, 201)
    assert (alive.status_code, alive.json()["error"]) == (409, "holder_alive")
    assert available(api, LATE_ADULT) == "0.00"
    kinds = [line.kind for line in statement_of(api.uow, iin=LATE_ADULT).lines
             if line.account == "target_savings"]  # fmt: skip
    assert kinds == ["maturity", "inheritance", "inheritance", "inheritance"]
    assert all(check.holds for check in reconcile(api.uow))


def test_a_certificate_number_written_with_spaces_inside_is_the_same_certificate(
    api: Api,
) -> None:
    """`2025 / 118` was taken for a certificate of its own beside `2025/118`: the same
    heir, notary and half again, and the heir was paid a half on each (99.00 of a
    50.26 share, reproduced on both databases)."""
    with api.client(HEIRS_KEY) as client:
        first = post(client, "/api/v1/heir-payouts", heir_body("48.00"), "heir-1")
        spaced = heir_body("48.00", notary_certificate="2025 / 118")
        again = post(client, "/api/v1/heir-payouts", spaced, "heir-2")
        rest = post(
            client,
            "/api/v1/heir-payouts",
            heir_body("2.00", notary_certificate="2025 /118"),
            "heir-3",
        )
    assert first.status_code == 201
    assert (again.status_code, again.json()["error"]) == (409, "share_exceeded")
    assert (rest.status_code, rest.json()["notary_certificate"]) == (201, "2025/118")
    assert available(api, LATE_ADULT) == "50.00"


@pytest.mark.parametrize("credential", [EDUCATION_KEY, HOUSING_KEY])
def test_an_operator_not_authorised_to_pay_heirs_is_refused(api: Api, credential: str) -> None:
    """Serving education or housing does not let an operator pay heirs: 403, nothing paid."""
    with api.client(credential) as client:
        refused = post(client, "/api/v1/heir-payouts", heir_body("50.00"), "heir")
    assert (refused.status_code, refused.json()["error"]) == (403, "inheritance_not_served")
    assert available(api, LATE_ADULT) == "100.00"


def test_a_certificate_used_by_one_operator_is_refused_to_another(api: Api) -> None:
    """The operator that first used a certificate is the only one that pays on it."""
    with api.client(HEIRS_KEY) as first, api.client(OTHER_HEIRS_KEY) as second:
        paid = post(first, "/api/v1/heir-payouts", heir_body("10.00"), "heir")
        spelled_otherwise = heir_body("10.00", notary_certificate=" 2025/118")
        again = post(second, "/api/v1/heir-payouts", spelled_otherwise, "heir")
    assert paid.status_code == 201
    assert (again.status_code, again.json()["error"]) == (409, "certificate_of_another_operator")
    assert available(api, LATE_ADULT) == "90.00"


def test_a_certificate_s_first_use_in_the_old_shape_is_422_naming_what_is_missing(
    api: Api,
) -> None:
    """The request of old (a certificate's number only) names the details a first use
    needs; once the certificate is known, the old shape pays on it."""
    old_shape = heir_body("10.00", notary="-", heir_iin="-", share="-")
    with api.client(HEIRS_KEY) as client:
        first = post(client, "/api/v1/heir-payouts", old_shape, "old")
        described = post(client, "/api/v1/heir-payouts", heir_body("10.00"), "described")
        later = post(client, "/api/v1/heir-payouts", {**old_shape, "amount": "5.00"}, "later")
    assert (first.status_code, first.json()["error"]) == (422, "certificate_details_required")
    assert "notary, heir_iin, share must be given" in first.json()["message"]
    assert (described.status_code, later.status_code) == (201, 201)
    assert available(api, LATE_ADULT) == "85.00"


@pytest.mark.parametrize(
    ("changes", "field", "shown"),
    [
        ({"share": "3/2"}, "share", "share '3/2' must be more than 0 and at most 1"),
        ({"share": "0,5"}, "share", "'0,5' must be a fraction such as 1/2"),
        ({"heir_iin": str(LATE_ADULT)}, "heir_iin", "the deceased holder's own"),
        ({"heir_iin": "850201300129"}, "heir_iin", "not a valid IIN"),
        ({"notary": "\u202eevil"}, "notary", None),
    ],
)
def test_a_malformed_certificate_is_422_naming_the_field(
    api: Api, changes: dict[str, str], field: str, shown: str | None
) -> None:
    with api.client(HEIRS_KEY) as client:
        answer = post(client, "/api/v1/heir-payouts", heir_body(**changes), "malformed")
    assert answer.status_code == 422
    [problem] = answer.json()["fields"]
    assert problem["field"] == field
    if shown is not None:
        assert shown in problem["problem"]
    assert HEIR not in answer.text and str(LATE_ADULT) not in answer.text


def test_thirty_concurrent_heir_payouts_on_one_certificate_never_pay_beyond_its_share(
    api: Api,
) -> None:
    """30 requests of 10.00 at once, from two operators, on one certificate for a half of
    100.00: five are paid, all by the one operator that used it first; the rest refused."""

    def request(number: int) -> httpx.Response:
        with api.client(HEIRS_KEY if number % 2 else OTHER_HEIRS_KEY) as client:
            return post(client, "/api/v1/heir-payouts", heir_body("10.00"), f"h{number}")

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(request, range(30)))
    paid = [answer for answer in answers if answer.status_code == 201]
    refused = {answer.json()["error"] for answer in answers if answer.status_code != 201}
    assert len(paid) == 5
    assert refused <= {"certificate_of_another_operator", "share_exceeded"}
    assert available(api, LATE_ADULT) == "50.00"
    operators = {event.actor for event in audit_events(api.uow, limit=100)
                 if event.outcome == 201}  # fmt: skip
    assert len(operators) == 1
    assert all(check.holds for check in reconcile(api.uow))


def test_heirs_payouts_are_looked_up_and_returned(api: Api) -> None:
    """An heir's payout is read and returned like a payout, by its own operator only; a
    return puts the money back on the frozen savings and frees the share."""
    with api.client(HEIRS_KEY) as client, api.client(OTHER_HEIRS_KEY) as other:
        paid = post(client, "/api/v1/heir-payouts", heir_body("50.00"), "paid").json()
        path = f"/api/v1/heir-payouts/{paid['payout_id']}"
        foreign = other.get(path)
        foreign_return = other.post(f"{path}/return", headers={"Idempotency-Key": "r"})
        returned = client.post(f"{path}/return", headers={"Idempotency-Key": "r"})
        again = client.post(f"{path}/return", headers={"Idempotency-Key": "r2"})
        looked_up = client.get(path)
        repaid = post(client, "/api/v1/heir-payouts", heir_body("50.00"), "repaid")
    assert (foreign.status_code, foreign.json()["error"]) == (404, "unknown_payout")
    assert (foreign_return.status_code, foreign_return.json()["error"]) == (404, "unknown_payout")
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    assert (again.status_code, again.json()["error"]) == (409, "payout_closed")
    assert looked_up.json() == {**paid, "status": "returned"}
    assert repaid.status_code == 201
    assert available(api, LATE_ADULT) == "50.00"
    events = audit_events(api.uow, iin=str(LATE_ADULT), limit=10)
    assert [(e.action, e.outcome) for e in reversed(events)] == [
        ("POST /api/v1/heir-payouts", 201),
        ("POST /api/v1/heir-payouts/{payout_id}/return", 200),
        ("POST /api/v1/heir-payouts/{payout_id}/return", 409),
        ("GET /api/v1/heir-payouts/{payout_id}", 200),
        ("POST /api/v1/heir-payouts", 201),
    ]
    assert all(check.holds for check in reconcile(api.uow))


def test_an_heir_payout_made_with_spaces_in_its_number_before_schema_18_names_its_heir(
    api: Api,
) -> None:
    """A payout made before schema 18 keeps the number as sent (`2025 / 118`), where the
    certificate is now recorded as `2025/118`: reading it recorded the holder alone."""
    with api.client(HEIRS_KEY) as client:
        paid = post(client, "/api/v1/heir-payouts", heir_body("20.00"), "first").json()
        tamper(api.uow, "UPDATE heir_payout SET notary_certificate = '2025 / 118'"
                        f" WHERE payout_id = '{paid['payout_id']}'")  # fmt: skip
        read = client.get(f"/api/v1/heir-payouts/{paid['payout_id']}")
        later = post(client, "/api/v1/heir-payouts", heir_body("30.01"), "later")
    assert read.status_code == 200
    actions = [event.action for event in audit_events(api.uow, iin=HEIR, limit=5)]
    assert "GET /api/v1/heir-payouts/{payout_id} (heir)" in actions, actions
    assert (later.status_code, later.json()["error"]) == (409, "share_exceeded")


def test_an_heir_finds_in_the_audit_log_every_request_about_their_payouts(api: Api) -> None:
    """The heir's IIN is recorded beside the holder's: when the certificate is described,
    when a later payout leaves the heir out, and when a payout is read or returned; a
    certificate another operator used first names nobody for this one, nor one used for
    another holder's savings; a request naming another heir than the certificate's is
    recorded about both."""
    stranger = "881112400347"
    with api.client(HEIRS_KEY) as client, api.client(OTHER_HEIRS_KEY) as other:
        paid = post(client, "/api/v1/heir-payouts", heir_body("20.00"), "first").json()
        post(client, "/api/v1/heir-payouts",
             heir_body("10.00", notary="-", heir_iin="-", share="-"), "later")  # fmt: skip
        path = f"/api/v1/heir-payouts/{paid['payout_id']}"
        client.get(path)
        client.post(f"{path}/return", headers={"Idempotency-Key": "back"})
        post(client, "/api/v1/heir-payouts", heir_body("20.00"), "first")  # a repeat
        anonymous = heir_body("1.00", notary="-", heir_iin="-", share="-")
        foreign = post(other, "/api/v1/heir-payouts", anonymous, "theirs")
        alive = post(client, "/api/v1/heir-payouts", {**anonymous, "iin": str(ADULT)}, "alive")
        named = post(client, "/api/v1/heir-payouts", heir_body("1.00", heir_iin=stranger), "n")
    assert foreign.json()["error"] == "certificate_of_another_operator"
    assert (alive.json()["error"], named.json()["error"]) == (
        "holder_alive",
        "certificate_mismatch",
    )
    heirs = audit_events(api.uow, iin=HEIR, limit=10)
    assert [(e.action, e.outcome, e.actor) for e in reversed(heirs)] == [
        ("POST /api/v1/heir-payouts (heir)", 201, "operator:Heirs Bank"),
        ("POST /api/v1/heir-payouts (heir)", 201, "operator:Heirs Bank"),
        ("GET /api/v1/heir-payouts/{payout_id} (heir)", 200, "operator:Heirs Bank"),
        ("POST /api/v1/heir-payouts/{payout_id}/return (heir)", 200, "operator:Heirs Bank"),
        ("POST /api/v1/heir-payouts (heir)", 201, "operator:Heirs Bank"),
        ("POST /api/v1/heir-payouts (heir)", 409, "operator:Heirs Bank"),  # `named`
    ]
    [claimed] = audit_events(api.uow, iin=stranger, limit=10)
    assert (claimed.action, claimed.request_id) == ("POST /api/v1/heir-payouts (heir)",
                                                    heirs[0].request_id)  # fmt: skip
    holders = audit_events(api.uow, iin=str(LATE_ADULT), limit=10)
    assert len(holders) == 7  # the other operator's refusal is about the holder alone
    assert {e.request_id for e in heirs} < {e.request_id for e in holders}


def test_a_refused_body_is_audited_about_the_person_it_names(api: Api) -> None:
    """A payout refused for its amount (`6x`) or its account was recorded about nobody,
    though its IIN was valid, and an heir's payout refused for a field was not recorded
    about the heir it named: `urpaq audit --iin` did not find them."""
    stranger = "881112400347"
    with api.client() as client, api.client(HEIRS_KEY) as heirs:
        amount = post(client, "/api/v1/payouts", payout_body(amount="6x"), "bad-amount")
        account = post(client, "/api/v1/payouts", payout_body(account="kz86"), "bad-account")
        heir = post(heirs, "/api/v1/heir-payouts", heir_body("1.0", heir_iin=stranger), "h")
        wrong = post(heirs, "/api/v1/heir-payouts", heir_body("1.00", heir_iin="12345"), "w")
    assert [a.status_code for a in (amount, account, heir, wrong)] == [422] * 4
    events = audit_events(api.uow, iin=str(ADULT), limit=2)
    assert [(e.action, e.outcome) for e in events] == [("POST /api/v1/payouts", 422)] * 2
    [named] = audit_events(api.uow, iin=stranger, limit=5)
    assert (named.action, named.outcome) == ("POST /api/v1/heir-payouts (heir)", 422)
    holder = audit_events(api.uow, iin=str(LATE_ADULT), limit=2)
    assert [(e.action, e.outcome) for e in holder] == [("POST /api/v1/heir-payouts", 422)] * 2
    assert holder[1].request_id == named.request_id
    # Only the bodies that name people are read: a confirmation's stray `iin` and a
    # payout's stray `heir_iin` name nobody the request is about.
    bystander = "060102600034"
    with api.client() as client:
        path = f"/api/v1/payouts/{'0' * 32}/confirmation"
        stray = {"documents": ["N-1"], "iin": bystander, "heir_iin": stranger}
        confirmed = post(client, path, stray, "stray")
        paid = post(client, "/api/v1/payouts", {**payout_body(amount="x"), "heir_iin": bystander},
                    "stray-heir")  # fmt: skip
    assert (confirmed.status_code, paid.status_code) == (422, 422)
    assert audit_events(api.uow, iin=bystander, limit=5) == []
    assert len(audit_events(api.uow, iin=stranger, limit=5)) == 1  # `named` above


def test_twenty_concurrent_payout_requests_never_overdraw(api: Api) -> None:
    """20 requests of 10.00 at once against 100.00: exactly 10 paid, 10 refused."""

    def request(number: int) -> httpx.Response:
        with api.client() as client:
            return post(client, "/api/v1/payouts", payout_body(amount="10.00"), f"c{number}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(request, range(20)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 10 + [409] * 10
    assert {a.json()["error"] for a in answers if a.status_code == 409} == {"insufficient_savings"}
    assert available(api) == "0.00"
    assert all(check.holds for check in reconcile(api.uow))


def test_every_request_is_audited_and_the_log_cannot_be_altered(api: Api) -> None:
    """Who, when, which person, what: one event per request, append-only."""
    with api.client() as client:
        client.get(f"/api/v1/savings/{ADULT}")
        post(client, "/api/v1/payouts", payout_body(MINOR), "audited")
    with api.client("wrong") as stranger:
        stranger.get(f"/api/v1/savings/{MINOR}")
    events = audit_events(api.uow, limit=10)
    seen = [(e.actor, e.action, e.iin, e.outcome) for e in reversed(events)]
    assert seen == [
        ("operator:Education Bank", "GET /api/v1/savings/{iin}", str(ADULT), 200),
        ("operator:Education Bank", "POST /api/v1/payouts", str(MINOR), 404),
        ("unauthenticated", "GET /api/v1/savings/{iin}", str(MINOR), 401),  # asked about
    ]
    assert all(e.at == NOW for e in events)
    table = served_audit_table(api)
    for statement in (f"UPDATE {table} SET actor = 'nobody'", f"DELETE FROM {table}"):
        with pytest.raises(Exception, match="append-only"):
            serving_db(api).execute(statement)
    assert len(audit_events(api.uow, limit=10)) == 3


def serving_db(api: Api) -> SqlConnection:
    """The connection of the serving store, where the audit log is kept."""
    store = api.uow.serving
    assert isinstance(store, SqlServing)
    return store.db


def served_audit_table(api: Api) -> str:
    return "audit_event" if api.database_url.startswith("sqlite") else "serving.audit_event"


def test_internal_errors_leak_no_stack_trace_and_no_iin(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A failure inside answers 500 with a request id; body and logs hold no IIN."""

    def failing(*args: object, iin: object, **kwargs: object) -> None:
        raise RuntimeError(f"database trouble while reading {iin}")

    monkeypatch.setattr(payout_service, "savings_holder", failing)
    caplog.set_level(logging.INFO)
    with api.client() as client:
        answer = client.get(f"/api/v1/savings/{ADULT}")
    assert answer.status_code == 500
    assert answer.json()["error"] == "internal_error"
    assert answer.headers["x-request-id"] in answer.json()["message"]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("urpaq"))
    assert "RuntimeError" in logged
    for text in (answer.text, logged):
        assert str(ADULT) not in text
    assert "Traceback" not in answer.text
    events = audit_events(api.uow, iin=str(ADULT), limit=1)
    assert events[0].outcome == 500


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/api/v1/savings/070920-500017", "/api/v1/savings/*************"),
        ("/api/v1/savings/0709 2050 0017", "/api/v1/savings/**************"),
        ("/api/v1/savings/0709\u00a02050\u202f0017", "/api/v1/savings/**************"),
        ("/api/v1/savings/0709\t2050\t0017", "/api/v1/savings/**************"),
        ("/api/v1/savings/07092050001", "/api/v1/savings/***********"),  # a part of one
        ("/api/v1/savings/x070920500017", "/api/v1/savings/x************"),
        ("/api/v1/payouts/3f1234567abc", "/api/v1/payouts/3f1234567abc"),  # an id's digits
        ("192.168.100.200", "192.168.100.200"),  # an address stays whole
        ("/statistics/2025", "/statistics/2025"),
    ],
)
def test_the_logs_mask_an_iin_written_grouped_and_a_part_of_one(path: str, logged: str) -> None:
    """Once logged as written: `070920-500017`, `0709 2050 0017`, the first 11 digits."""
    from urpaq.entrypoints.http.log_text import redact

    assert redact(path) == logged


def test_the_access_log_masks_iins_in_paths(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="urpaq.access")
    with api.client() as client:
        client.get(f"/api/v1/savings/{ADULT}")
    deadline = time.monotonic() + 5  # the line is written once the answer has been sent
    while not any(r.name == "urpaq.access" for r in caplog.records):
        assert time.monotonic() < deadline, "no access log line"
        time.sleep(0.01)
    lines = [r.getMessage() for r in caplog.records if r.name == "urpaq.access"]
    assert any("GET /api/v1/savings/************ 200" in line for line in lines), lines
    assert not any(str(ADULT) in line for line in lines)


def test_urpaq_serve_answers_over_http(tmp_path: Path) -> None:
    """The command from interfaces.md starts the server; SIGINT stops it cleanly."""
    database = f"sqlite:///{tmp_path}/served.db"
    urpaq = [sys.executable, "-m", "urpaq"]
    subprocess.run([*urpaq, "init", "--db", database], check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [*urpaq, "serve", "--db", database, "--port", str(port)],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert answer.json() == {"status": "ok"}
        missing = httpx.get(f"http://127.0.0.1:{port}/api/v1/savings/{ADULT}")
        assert missing.status_code == 401
    finally:
        server.send_signal(signal.SIGINT)
        _, log = server.communicate(timeout=30)
    assert server.returncode == 0, log
    assert "GET /api/v1/savings/************ 401" in log
    assert str(ADULT) not in log


def test_urpaq_demo_serve_builds_the_demo_and_serves_it(tmp_path: Path) -> None:
    """`demo --serve`: the demo, a 'Demo Bank' credential printed once, then the server."""
    database = f"sqlite:///{tmp_path}/demo.db"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "urpaq", "demo", "--serve", "--db", database,
         "--workdir", str(tmp_path), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None
                assert time.monotonic() < deadline
                time.sleep(0.5)
        statistics = httpx.get(f"http://127.0.0.1:{port}/statistics?lang=en")
        assert statistics.status_code == 200 and "Participants by age" in statistics.text
    finally:
        server.send_signal(signal.SIGINT)
        _, log = server.communicate(timeout=60)
    found = re.search(r"its API credential \(shown once\): (\S+)", log)
    assert found, log
    assert server.returncode == 0, log


def test_a_payout_whose_audit_event_cannot_be_written_moves_no_money(api: Api) -> None:
    """The audit event is recorded before the payout commits: if it fails, so does the
    payout (500), and a repeat under the same key, once the log works again, pays once."""
    table = served_audit_table(api)
    trigger = (
        f"CREATE TRIGGER audit_refuses_201 BEFORE INSERT ON {table}"
        " WHEN NEW.outcome = 201 BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
        if api.database_url.startswith("sqlite")
        else f"CREATE TRIGGER audit_refuses_201 BEFORE INSERT ON {table} FOR EACH ROW"
        " WHEN (NEW.outcome = 201) EXECUTE FUNCTION refuse_change('audit log unavailable')"
    )
    serving_db(api).execute(trigger)
    with api.client() as client:
        failed = post(client, "/api/v1/payouts", payout_body(), "audited-once")
        assert failed.status_code == 500
        assert failed.headers["x-request-id"] in failed.json()["message"]
        assert available(api) == "100.00"
        serving_db(api).execute("DROP TRIGGER audit_refuses_201" + (
            "" if api.database_url.startswith("sqlite") else f" ON {table}"))  # fmt: skip
        paid = post(client, "/api/v1/payouts", payout_body(), "audited-once")
        again = post(client, "/api/v1/payouts", payout_body(), "audited-once")
    assert (paid.status_code, again.status_code) == (201, 201)
    assert available(api) == "40.00"


def test_confirmations_and_returns_are_audited_with_the_person(api: Api) -> None:
    with api.client() as client:
        paid = post(client, "/api/v1/payouts", payout_body(amount="10.00"), "p").json()
        client.post(f"/api/v1/payouts/{paid['payout_id']}/return",
                    headers={"Idempotency-Key": "r"})  # fmt: skip
        client.get(f"/api/v1/payouts/{paid['payout_id']}")
    events = audit_events(api.uow, iin=str(ADULT), limit=10)
    assert [e.action for e in reversed(events)] == [
        "POST /api/v1/payouts",
        "POST /api/v1/payouts/{payout_id}/return",
        "GET /api/v1/payouts/{payout_id}",
    ]


@pytest.mark.parametrize(
    "body", [str(ADULT), {**payout_body(), "IIN": str(ADULT)}, {**payout_body(), "iin": 6030350}]
)
def test_no_error_body_quotes_an_iin_whatever_the_field(api: Api, body: object) -> None:
    with api.client() as client:
        answer = post(client, "/api/v1/payouts", body, "k")
    assert answer.status_code == 422
    assert str(ADULT) not in answer.text and "6030350" not in answer.text


def test_a_body_over_64_kib_is_refused_unread(api: Api) -> None:
    with api.client() as client:
        answer = client.post("/api/v1/payouts", content=b"x" * (65 * 1024),
                             headers={"Idempotency-Key": "big"})  # fmt: skip
    assert (answer.status_code, answer.json()["error"]) == (413, "body_too_large")


def test_serving_beyond_loopback_needs_an_identity_provider_named(tmp_path: Path) -> None:
    """The development provider (codes in the log) is never used on a reachable address
    by default."""
    database = f"sqlite:///{tmp_path}/served.db"
    environment = {k: v for k, v in os.environ.items() if k != "URPAQ_IDENTITY"}
    urpaq = [sys.executable, "-m", "urpaq"]
    subprocess.run([*urpaq, "init", "--db", database], check=True, capture_output=True)
    refused = subprocess.run(
        [*urpaq, "serve", "--db", database, "--host", "0.0.0.0"],
        capture_output=True, text=True, env=environment, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 3
    assert "URPAQ_IDENTITY" in refused.stderr
