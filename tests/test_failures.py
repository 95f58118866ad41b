# ruff: noqa: F811  (the `edge` fixture, imported from test_edge, is the tests' argument)
"""What a client is told when the application fails: 503 and when to try again if the
database could not be reached, 500 otherwise; JSON for the API, a page for the pages;
one line in the error log for a database away, a trace for anything else."""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
from pathlib import Path

import httpx
import psycopg
import pytest

from api_server import serving
from test_edge import Edge, edge  # noqa: F401 (a fixture)
from urpaq.adapters.sql.connection import DatabaseUnavailable
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.web import routes
from urpaq.services import payouts as payout_service
from world import ADULT

AWAY = [
    psycopg.OperationalError("connection failed: server closed the connection unexpectedly"),
    DatabaseUnavailable("cannot connect to postgresql://urpaq@db/urpaq: connection refused"),
]


@pytest.mark.parametrize("error", AWAY, ids=["connection lost", "cannot connect"])
def test_an_api_read_with_the_database_away_is_503_try_again(
    edge: Edge, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:  # fmt: skip
    """PostgreSQL restarting or gone: the operator's client is told 503, when to try
    again, and that a write repeated with its key is made once — not the 500 that means
    "something broke"; the error log says it in one line, with no trace."""

    def away(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(payout_service, "savings_holder", away)
    caplog.set_level(logging.ERROR, logger="urpaq.error")
    with edge.client() as client:
        answer = client.get(f"/api/v1/savings/{ADULT}")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["error"] == "database_unavailable"
    assert "Idempotency-Key" in answer.json()["message"]
    logged = [r.getMessage() for r in caplog.records if r.name == "urpaq.error"]
    assert any("the database could not be reached" in line for line in logged), logged
    assert not any("Traceback" in line or 'File "' in line for line in logged), logged


def test_a_page_whose_application_failed_is_a_page_not_json(
    edge: Edge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parent's lookup while the database is away gets a page in the three languages
    saying to try again shortly, with the request id; any other failure, a page saying
    the request could not be completed."""

    def away(*args: object, **kwargs: object) -> None:
        raise AWAY[0]

    monkeypatch.setattr(routes, "look_up_participant", away)
    with edge.client(None) as client:
        answer = client.post("/lookup", data={"iin": str(ADULT)})
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["cache-control"] == "no-store"  # once none: a cache kept it
    for words in ("Сервис временно недоступен", "Қызмет уақытша қолжетімсіз", "unavailable"):
        assert words in answer.text
    assert answer.headers["x-request-id"] in answer.text

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a defect")

    monkeypatch.setattr(routes, "look_up_participant", broken)
    with edge.client(None) as client:
        answer = client.post("/lookup", data={"iin": str(ADULT)})
    assert answer.status_code == 500 and "retry-after" not in answer.headers
    assert "The request could not be completed." in answer.text
    assert "a defect" not in answer.text


def test_a_form_whose_body_cannot_be_read_is_answered_with_a_page(edge: Edge) -> None:
    """A broken upload to the lookup: a page saying to send the form again, in the
    visitor's language — not the multipart parser's words in JSON."""
    broken = b"--zz\r\nContent-Disposition: form-da\r\n\r\n"
    with edge.client(None) as client:
        answer = client.post(
            "/lookup?lang=ru",
            content=broken,
            headers={"Content-Type": "multipart/form-data; boundary=zz"},
        )
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "Запрос не удалось прочитать" in answer.text and "Content-Disposition" not in answer.text


def test_a_form_refused_before_its_route_is_answered_with_a_page(edge: Edge) -> None:
    """A lookup of 70,000 characters (413) showed a parent's browser raw JSON in English:
    a page now, in the three languages; the API's own refusals stay JSON."""
    with edge.client(None) as client:
        page = client.post("/lookup?lang=kk", data={"iin": "1" * 70_000})
        api = client.post("/api/v1/payouts", content=b"x" * 70_000)
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert "Жіберілген мәтін тым үлкен." in page.text and "What was sent is too large." in page.text
    assert page.headers["x-request-id"] in page.text
    assert (api.status_code, api.json()["error"]) == (413, "body_too_large")


def test_a_method_a_page_does_not_take_is_answered_with_a_page(edge: Edge) -> None:
    """`PUT /lookup` was answered JSON in English: a page now, in the three languages;
    the API's stays JSON."""
    with edge.client(None) as client:
        page = client.put("/lookup", data={"iin": "1"})
        api = client.put("/api/v1/payouts", json={})
    assert page.status_code == 405 and page.headers["content-type"].startswith("text/html")
    assert "Эта страница не принимает такой запрос." in page.text
    assert page.headers["x-request-id"] in page.text
    # Every method the address takes: it named GET alone, of the first of its two routes.
    assert page.headers["allow"] == "GET, HEAD, POST"
    assert api.headers["allow"] == "GET, HEAD, POST"  # a payout, or a day's list
    with edge.client(None) as client:  # no route's: the static files keep their own
        static = client.post("/static/style.css")
    assert static.status_code == 405 and static.headers["allow"] == "GET, HEAD"
    # A title that says what happened, and one main heading (the others translate it).
    # In the page's language alone (a title cannot mark another's words as such); every
    # other language's words are marked, the home link's and the request number's too.
    title = re.search(r"<title>(.*?)</title>", page.text)
    assert title is not None and title[1] == "405 — Бұл бетке мұндай сұрау жіберілмейді."
    assert '<span lang="ru">Национальный фонд — детям</span>' in page.text
    assert '<span lang="en">Request number</span>' in page.text
    assert page.text.count("<h1>") == 1 and page.text.count("<h2>") == 2
    assert (api.status_code, api.json()["error"]) == (405, "method_not_allowed")


def test_an_audit_log_out_of_reach_is_503_too(edge: Edge, monkeypatch: pytest.MonkeyPatch) -> None:
    """The read was made, but its audit event could not be written because the database
    was away: the answer it replaces is the same 503 and Retry-After as any other
    request's then, not a 500."""
    from urpaq.entrypoints.http import edge as edge_module

    def away(*args: object, **kwargs: object) -> None:
        raise AWAY[0]

    monkeypatch.setattr(edge_module, "record_event_later", away)
    with edge.client() as client:
        answer = client.get(f"/api/v1/savings/{ADULT}")
    assert (answer.status_code, answer.headers.get("retry-after")) == (503, "5")
    assert answer.json()["error"] == "database_unavailable"
    assert '"available"' not in answer.text  # the unrecorded answer never leaves


def test_readiness_says_whether_the_database_answers_at_this_schema(
    edge: Edge, tmp_path: Path
) -> None:
    """`/healthz` says the process runs; a load balancer also needs to know that it can
    answer: `/readyz` reads both stores and the schema version, 503 when it cannot."""
    with edge.client(None) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready", "schema_version": edge.uow.schema.version()}
        with sqlite3.connect(tmp_path / "urpaq.db") as db:  # as if one migration were missing
            db.execute(
                "DELETE FROM schema_version"
                " WHERE version = (SELECT MAX(version) FROM schema_version)"
            )
        behind = client.get("/readyz")
    assert behind.status_code == 503 and behind.json()["error"] == "not_ready"
    assert "run `urpaq init`" in behind.json()["message"]


@pytest.mark.parametrize("replaced", ["urpaq-serving.db", "urpaq.db"])
def test_readiness_is_503_once_a_database_file_is_replaced_under_the_process(
    edge: Edge, tmp_path: Path, replaced: str
) -> None:
    """A file copied over the serving store (or the database) while served: every
    audited answer is 503 `database_unavailable`, and `/readyz` said 200 "ready", so a
    load balancer went on sending this process requests it could not answer."""
    if edge.uow.description.startswith("postgresql"):
        pytest.skip("a PostgreSQL database is no file")
    with edge.client(None) as client:
        assert client.get("/readyz").status_code == 200
        file = tmp_path / replaced
        copy = tmp_path / "copy.db"
        shutil.copyfile(file, copy)
        copy.replace(file)
        ready = client.get("/readyz")
    assert ready.status_code == 503, ready.text
    assert ready.json()["error"] == "database_unavailable"


def test_readiness_with_the_database_away_is_503_and_health_still_200() -> None:
    """A PostgreSQL server that is not there: the process runs (200) but is not ready
    (503 `database_unavailable`, try again in 5 s)."""
    app = create_app(database_url="postgresql://urpaq@127.0.0.1:9/urpaq?connect_timeout=2")
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/healthz").status_code == 200
        away = client.get("/readyz")
    assert away.status_code == 503 and away.headers["retry-after"] == "5"
    assert away.json()["error"] == "database_unavailable"
