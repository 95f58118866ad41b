"""The back office over HTTP: staff sign-in (the development form, and OpenID Connect
against a real provider on loopback), sessions and anti-forgery, a person's file and the
audit viewer, each read audited with the staff member as actor."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from pathlib import Path

import httpx
import pytest

from office_world import (
    FEED,
    WITHDRAWAL,
    development,
    form_token,
    office,
    oidc_identity,
    oidc_provider,
    provider_user,
    sign_in,
    write,
)
from test_cli import urpaq
from urpaq.bootstrap import open_unit_of_work
from urpaq.entrypoints.http.office.identity import StaffIdentity, StaffIdentityMode
from urpaq.services.audit import audit_events


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> str:
    """A register with a loss recorded in error and later withdrawn, closed 2023–2025."""
    urpaq("init", db=database_url)
    urpaq("register", "import", str(write(tmp_path / "a.csv", FEED)), db=database_url)
    urpaq("parameters", "import", db=database_url)
    urpaq("close", "2023", "--as-of", "2024-01-31", db=database_url)
    urpaq("close", "2024", "--as-of", "2025-01-31", db=database_url)
    urpaq("register", "import", str(write(tmp_path / "b.csv", WITHDRAWAL)), db=database_url)
    return database_url


def test_development_sign_in_opens_a_session_that_signs_out(db: str) -> None:
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        assert client.get("/office/").headers["location"] == "/office/sign-in"
        sign_in(client, "aigerim", "clerk")
        home = client.get("/office/")
        assert home.status_code == 200 and "aigerim" in home.text
        assert home.headers["cache-control"].startswith("no-store")
        token = form_token(home.text)
        out = client.post("/office/sign-out", data={"form_token": token})
        assert out.status_code == 303
        # Ended with the flags it was set with (once `SameSite=lax` alone, never `Secure`).
        ended = out.headers["set-cookie"]
        assert ended.startswith("urpaq_staff=") and "HttpOnly" in ended and "Path=/office" in ended
        assert client.get("/office/").headers["location"] == "/office/sign-in"


def test_a_form_without_its_anti_forgery_value_changes_nothing(db: str) -> None:
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        client.get("/office/sign-in")
        forged = client.post("/office/sign-in", data={"user": "x", "role": "supervisor"})
        assert forged.status_code == 403
        for value in ("é", "ж"):  # outside ASCII: 500, the comparison's TypeError
            forged = client.post(
                "/office/sign-in", data={"user": "x", "role": "clerk", "form_token": value}
            )
            assert forged.status_code == 403
        assert client.get("/office/").status_code == 303  # still nobody signed in
        sign_in(client, "aigerim", "clerk")
        for value in ("", "not-the-token", "é"):
            refused = client.post("/office/sign-out", data={"form_token": value})
            assert refused.status_code == 403
        assert client.get("/office/").status_code == 200  # still signed in


def test_the_development_form_takes_only_known_roles_and_printable_names(db: str) -> None:
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        for user, role in (("aigerim", "admin"), ("", "clerk"), ("a\x1bb", "clerk")):
            form = client.get("/office/sign-in")
            answer = client.post(
                "/office/sign-in",
                data={"user": user, "role": role, "form_token": form_token(form.text)},
            )
            assert answer.status_code == 422, (user, role)


def test_nobody_signs_in_where_no_identity_is_set_up(db: str) -> None:
    with office(db, StaffIdentity(StaffIdentityMode.NONE)) as url:
        answer = httpx.get(f"{url}/office/sign-in")
        assert answer.status_code == 503
        assert httpx.post(f"{url}/office/sign-in", data={}).status_code == 403


def test_a_session_ends_after_its_time(db: str) -> None:
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        sign_in(client, "aigerim", "clerk")
        uow = open_unit_of_work(db)
        try:
            later = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
            store = uow.staff
            with store.db.statement_lock():  # type: ignore[attr-defined]
                store.db.execute(  # type: ignore[attr-defined]
                    f"UPDATE {store.schema}staff_session SET expires_at = ?",  # type: ignore[attr-defined]
                    (later,),
                )
        finally:
            uow.close()
        assert client.get("/office/").headers["location"] == "/office/sign-in"


def test_a_persons_file_is_audited_with_the_staff_member(db: str) -> None:
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        sign_in(client, "aigerim", "clerk")
        form = client.get("/office/persons")
        answer = client.post(
            "/office/persons", data={"iin": "150101500011", "form_token": form_token(form.text)}
        )
        assert answer.status_code == 200
        text = answer.text
        for shown in ("b1", "l1", "w1", "03.04.2024", "02.03.2025"):
            assert shown in text
        assert "readers" not in text  # a clerk does not see who read the person
        # The statement's lines, each dated and in words (Kazakh, the default language).
        assert "31.01.2025" in text and "тоқтату: азаматтығынан айырылды, 01.04.2024" in text
        bad = client.post(
            "/office/persons", data={"iin": "15010150001", "form_token": form_token(text)}
        )
        assert bad.status_code == 422 and "12 digits" in bad.text
        # Said in the page's language first (it was in English alone), the detail beside.
        assert "ЖСН дәл 12 цифрдан тұруы керек." in bad.text
        digit = client.post(
            "/office/persons?lang=ru", data={"iin": "150101500012", "form_token": form_token(text)}
        )
        assert "Последняя (контрольная) цифра не совпадает" in digit.text
    uow = open_unit_of_work(db)
    try:
        events = audit_events(uow, iin="150101500011")
    finally:
        uow.close()
    assert [(e.actor, e.action, e.outcome) for e in events][:1] == [
        ("staff:aigerim", "POST /office/persons", 200)
    ]


def test_an_auditor_sees_who_read_and_filters_the_log_as_csv(db: str) -> None:
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        sign_in(client, "dana", "auditor")
        form = client.get("/office/persons")
        token = form_token(form.text)
        client.post("/office/persons", data={"iin": "150101500011", "form_token": token})
        again = client.post("/office/persons", data={"iin": "150101500011", "form_token": token})
        assert 'id="readers"' in again.text and "staff:dana" in again.text
        log = client.post(
            "/office/audit",
            data={"iin": "150101500011", "actor": "dana", "format": "csv", "form_token": token},
        )
        assert log.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(log.text)))
        assert len(rows) >= 2 and {r["actor"] for r in rows} == {"staff:dana"}
        bad = client.post("/office/audit", data={"since": "yesterday", "form_token": token})
        assert bad.status_code == 422 and "yesterday" in bad.text
        assert "Іздеу шарттары қабылданбады:" in bad.text
        # Its times are Kazakhstan's, as its days are; the first day there is is a day too.
        shown = client.post("/office/audit", data={"actor": "dana", "form_token": token})
        assert "(UTC+5)" in shown.text
        first = client.post("/office/audit", data={"since": "0001-01-01", "form_token": token})
        assert first.status_code == 200 and "staff:dana" in first.text


def test_oidc_sign_in_against_a_real_provider(db: str) -> None:
    with oidc_provider() as issuer, office(db, oidc_identity(issuer)) as url:
        provider_user(issuer, "u-17", {"preferred_username": "saule", "urpaq_role": "supervisor"})
        with httpx.Client(base_url=url) as client:
            page = client.get("/office/sign-in")
            assert 'href="/office/sign-in/oidc"' in page.text
            start = client.get("/office/sign-in/oidc")
            assert start.status_code == 303
            location = start.headers["location"]
            assert location.startswith(f"{issuer}/") and "code_challenge_method=S256" in location
            authorised = httpx.post(location, data={"sub": "u-17"})
            back = authorised.headers["location"]
            assert back.startswith(f"{url}/office/sign-in/callback?")
            done = client.get(back)
            assert done.status_code == 303 and done.headers["location"] == "/office/"
            home = client.get("/office/")
            # The member is the provider's subject, stable and unique; not a display name.
            assert home.status_code == 200 and "u-17" in home.text
            replayed = client.get(back)  # the state is taken once
            assert replayed.status_code == 400


def test_oidc_refuses_a_user_without_a_role_and_a_foreign_state(db: str) -> None:
    with oidc_provider() as issuer, office(db, oidc_identity(issuer)) as url:
        provider_user(issuer, "u-18", {"preferred_username": "nurlan"})
        with httpx.Client(base_url=url) as client:
            start = client.get("/office/sign-in/oidc")
            back = httpx.post(start.headers["location"], data={"sub": "u-18"}).headers["location"]
            refused = client.get(back)
            assert refused.status_code == 403 and "urpaq_role" in refused.text
            assert client.get("/office/").status_code == 303
        with httpx.Client(base_url=url) as other:  # another browser, someone else's state
            start = httpx.get(f"{url}/office/sign-in/oidc")
            back = httpx.post(start.headers["location"], data={"sub": "u-18"}).headers["location"]
            assert other.get(back).status_code == 400


def test_office_answers_are_json_free_and_never_cached(db: str) -> None:
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        sign_in(client, "aigerim", "auditor")
        for path in ("/office/", "/office/persons", "/office/audit"):
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["cache-control"].startswith("no-store"), path
            with pytest.raises(json.JSONDecodeError):
                json.loads(answer.text)


@pytest.mark.parametrize(
    ("environment", "host", "says"),
    [
        ({"URPAQ_STAFF_IDENTITY": "development"}, "0.0.0.0", "loopback"),
        ({"URPAQ_STAFF_IDENTITY": "ldap"}, "127.0.0.1", "'ldap'"),
        ({"URPAQ_STAFF_IDENTITY": "oidc", "URPAQ_OIDC_ISSUER": "https://id"}, "127.0.0.1",
         "URPAQ_OIDC_CLIENT_ID"),
    ],
)  # fmt: skip
def test_serve_refuses_a_staff_sign_in_that_cannot_work_or_lets_anyone_in(
    tmp_path: Path, environment: dict[str, str], host: str, says: str
) -> None:
    import os
    import subprocess
    import sys

    database = f"sqlite:///{tmp_path}/served.db"
    env = {**os.environ, "URPAQ_IDENTITY": "development", **environment}
    subprocess.run([sys.executable, "-m", "urpaq", "init", "--db", database], check=True,
                   capture_output=True)  # fmt: skip
    refused = subprocess.run(
        [sys.executable, "-m", "urpaq", "serve", "--db", database, "--host", host],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 3, refused.stderr
    assert says in refused.stderr and "Traceback" not in refused.stderr


def test_four_eyes_go_by_the_providers_subject_not_a_name_it_can_change(db: str) -> None:
    """One provider account renamed between entering and approving is still one person."""
    with oidc_provider() as issuer, office(db, oidc_identity(issuer)) as url:

        def signed_in(client: httpx.Client) -> str:
            start = client.get("/office/sign-in/oidc")
            back = httpx.post(start.headers["location"], data={"sub": "u-1"}).headers["location"]
            assert client.get(back).status_code == 303
            return form_token(client.get("/office/").text)

        provider_user(issuer, "u-1", {"preferred_username": "saule", "urpaq_role": "supervisor"})
        with httpx.Client(base_url=url) as client:
            entered = client.post(
                "/office/parameters/2026",
                data={"form_token": signed_in(client), "tr_total": "100", "ii_rate": "0.03",
                      "reference": "NB letter 1"},
            )  # fmt: skip
            assert entered.status_code == 200
            proposal = entered.text.split('name="proposal" value="')[1].split('"')[0]
        provider_user(issuer, "u-1", {"preferred_username": "saule.k", "urpaq_role": "supervisor"})
        with httpx.Client(base_url=url) as client:
            approved = client.post(
                "/office/parameters/2026/approve",
                data={"form_token": signed_in(client), "proposal": proposal},
            )
            assert approved.status_code == 403


def test_the_audit_log_is_filtered_by_actor_and_action_before_its_limit(
    database_url: str,
) -> None:
    """An actor's events are found however many later events others caused."""
    from urpaq.domain.audit import AuditEvent

    uow = open_unit_of_work(database_url)
    uow.schema.initialise()
    try:
        at = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
        for number, actor in enumerate(["staff:Carol"] * 2 + ["staff:bob"] * 5):
            uow.serving.record(
                AuditEvent(at, actor, "POST /office/persons", None, 200, f"r{number}")
            )
        found = audit_events(uow, actor="carol", limit=3)
        assert [e.actor for e in found] == ["staff:Carol", "staff:Carol"]
        assert audit_events(uow, action="persons", actor="BOB", limit=10)[0].actor == "staff:bob"
        assert audit_events(uow, actor="100%_", limit=10) == []  # LIKE's wildcards are text
        # Letters beyond ASCII are found in either case.
        for actor in ("staff:Иван", "staff:Straße"):
            uow.serving.record(AuditEvent(at, actor, "POST /office/persons", None, 200, actor))
        assert [e.actor for e in audit_events(uow, actor="иван", limit=10)] == ["staff:Иван"]
        assert [e.actor for e in audit_events(uow, actor="ИВАН", limit=10)] == ["staff:Иван"]
        assert [e.actor for e in audit_events(uow, actor="STRAßE", limit=10)] == ["staff:Straße"]
    finally:
        uow.close()


def test_the_audit_logs_days_are_kazakhstans(database_url: str) -> None:
    """`since` a day is from its start in Kazakhstan (19:00 UTC the day before), as the
    office's other dates are."""
    from urpaq.domain.audit import AuditEvent

    uow = open_unit_of_work(database_url)
    uow.schema.initialise()
    try:
        for hour, minute in ((18, 59), (19, 0), (19, 1)):
            at = dt.datetime(2026, 11, 26, hour, minute, tzinfo=dt.UTC)
            uow.serving.record(
                AuditEvent(at, "staff:dana", "GET /office/", None, 200, f"{hour}{minute}")
            )
        found = audit_events(uow, since=dt.date(2026, 11, 27), limit=10)
        assert sorted(e.at.strftime("%H:%M") for e in found) == ["19:00", "19:01"]
        # `until` a day is to its end there, included.
        found = audit_events(uow, until=dt.date(2026, 11, 26), limit=10)
        assert [e.at.strftime("%H:%M") for e in found] == ["18:59"]
        day = dt.date(2026, 11, 27)
        assert len(audit_events(uow, since=day, until=day, limit=10)) == 2
        assert audit_events(uow, since=day, until=dt.date(2026, 11, 26), limit=10) == []
        assert len(audit_events(uow, until=dt.date.max, limit=10)) == 3
    finally:
        uow.close()


def test_a_search_of_some_days_finds_every_event_of_them_whatever_order_they_were_written_in(
    database_url: str,
) -> None:
    """A search of some days reads the events written between the first and the last of
    them (found by the index on the moment): an event of the day written after the next
    day's (a request answered late) is found, and none of the day before or after."""
    from urpaq.domain.audit import AuditEvent

    uow = open_unit_of_work(database_url)
    uow.schema.initialise()
    try:
        day = dt.date(2026, 11, 20)  # in Kazakhstan: 19 November 19:00 UTC to 20 November 19:00
        moments = [(19, 18, "before"), (19, 20, "first"), (20, 20, "after"), (20, 18, "late")]
        for date, hour, request in moments:
            at = dt.datetime(2026, 11, date, hour, tzinfo=dt.UTC)
            uow.serving.record(AuditEvent(at, "operator:bank", "GET /x", None, 200, request))
        found = audit_events(uow, since=day, until=day, limit=10)
        assert [e.request_id for e in found] == ["late", "first"]  # newest written first
        assert [e.request_id for e in audit_events(uow, since=day, limit=10)] == [
            "late",
            "after",
            "first",
        ]
        assert [e.request_id for e in audit_events(uow, until=day, limit=10)] == [
            "late",
            "first",
            "before",
        ]
        # An ASCII filter finds it among other letters, in any case, and a text holding
        # letters beyond ASCII is lowered as Unicode does (the Kelvin sign is a k).
        at = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
        for actor in ("staff:Иван-ADMIN", "staff:\u212aate"):
            uow.serving.record(AuditEvent(at, actor, "GET /y", None, 200, actor))
        assert [e.actor for e in audit_events(uow, actor="admin", limit=10)] == ["staff:Иван-ADMIN"]
        assert [e.actor for e in audit_events(uow, actor="иван-a", limit=10)] == [
            "staff:Иван-ADMIN"
        ]
        assert [e.actor for e in audit_events(uow, actor="kate", limit=10)] == ["staff:\u212aate"]
        assert audit_events(uow, since=dt.date(2027, 1, 1), actor="kate", limit=10) == []
        # A name its identity provider sent decomposed (`и` and a breve for `й`) is the
        # name typed composed, as staff sign-out takes it, and the other way round.
        decomposed = unicodedata.normalize("NFD", "staff:Йошкар Ёлка")
        uow.serving.record(AuditEvent(at, decomposed, "GET /z", None, 200, "nfd"))
        for typed in ("йошкар", "ЁЛКА", unicodedata.normalize("NFD", "йошкар ёлка")):
            assert [e.request_id for e in audit_events(uow, actor=typed, limit=10)] == ["nfd"]
    finally:
        uow.close()


def test_a_search_by_text_reads_stretch_after_stretch_from_the_newest(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text that few events hold is found across every stretch the search reads, newest
    first and no more than asked for, one that many hold within the first; with days
    given too, only within them."""
    from urpaq.adapters.sql import serving
    from urpaq.domain.audit import AuditEvent

    monkeypatch.setattr(serving, "FIRST_STRETCH", 2)
    uow = open_unit_of_work(database_url)
    uow.schema.initialise()
    try:
        start = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
        for n in range(40):  # one event a day, every seventh by a rare actor
            actor = "staff:rare" if n % 7 == 3 else f"operator:bank {n % 2}"
            at = start + dt.timedelta(days=n)
            uow.serving.record(AuditEvent(at, actor, "GET /x", None, 200, f"e{n}"))
        rare = [e.request_id for e in audit_events(uow, actor="RARE", limit=10)]
        assert rare == ["e38", "e31", "e24", "e17", "e10", "e3"]
        assert [e.request_id for e in audit_events(uow, actor="rare", limit=4)] == rare[:4]
        many = [e.request_id for e in audit_events(uow, actor="bank", limit=3)]
        assert many == ["e39", "e37", "e36"]
        days = audit_events(
            uow, actor="rare", since=dt.date(2026, 11, 5), until=dt.date(2026, 11, 26), limit=10
        )
        assert [e.request_id for e in days] == ["e24", "e17", "e10"]
    finally:
        uow.close()


def audit_searches(db: str, *searches: dict[str, str]) -> list[tuple[str, str]]:
    """Run an auditor's searches in the office; the actor and action of every event then
    recorded about the person 160202600019, newest first."""
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        sign_in(client, "dana", "auditor")
        token = form_token(client.get("/office/audit").text)
        for search in searches:
            client.post("/office/audit", data={**search, "form_token": token})
    uow = open_unit_of_work(db)
    try:
        return [(e.actor, e.action) for e in audit_events(uow, iin="160202600019")]
    finally:
        uow.close()


def test_an_audit_search_about_a_person_is_recorded_as_a_read_of_that_person(db: str) -> None:
    actions = audit_searches(db, {"iin": "160202600019"})
    assert ("staff:dana", "POST /office/audit") in actions


def test_an_audit_search_not_by_iin_is_recorded_as_a_read_of_each_person_it_shows(
    db: str,
) -> None:
    """Filtering by actor (`person:IIN`, a part of it, a staff member) or action showed
    people's events recorded about nobody, so "who read this person" never listed it: each
    person whose events a search shows is recorded, in an event of its own."""
    # The last, a search of the searches' own records, counts nobody again: each would
    # add as many events as it shows.
    actions = audit_searches(
        db, {"iin": "160202600019"}, {"actor": "staff:dana"}, {"action": "(shown)"}
    )
    assert actions[:2] == [
        ("staff:dana", "POST /office/audit (shown)"),
        ("staff:dana", "POST /office/audit"),
    ]


def test_an_audit_filter_holding_control_characters_is_refused_not_cut_short(db: str) -> None:
    """A NUL in the actor or action filter: once a 500 on PostgreSQL, and on SQLite a filter
    cut at the NUL (`\x00zzzz` showed every event); a day in another spelling is no day."""
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        sign_in(client, "dana", "auditor")
        token = form_token(client.get("/office/audit").text)
        for field, value in (("actor", "\x00zzzz"), ("action", "a\x00b"), ("actor", "x\ty")):
            answer = client.post("/office/audit", data={field: value, "form_token": token})
            assert answer.status_code == 422, (field, value)
            assert "control characters" in answer.text
        for since in ("20261127", "2026-W48-5"):
            answer = client.post("/office/audit", data={"since": since, "form_token": token})
            assert answer.status_code == 422 and "is not a date" in answer.text, since
        answer = client.post("/office/audit", data={"until": "tomorrow", "form_token": token})
        assert answer.status_code == 422 and "until &#39;tomorrow&#39; is not a date" in answer.text
        backwards = {"since": "2026-11-27", "until": "2026-11-26", "form_token": token}
        answer = client.post("/office/audit", data=backwards)
        assert answer.status_code == 422
        assert "until &#39;2026-11-26&#39; is before since &#39;2026-11-27&#39;" in answer.text
        assert 'name="until" type="date" value="2026-11-26"' in answer.text  # kept to mend
        plain = client.post("/office/audit", data={"actor": "zzzz", "form_token": token})
        assert plain.status_code == 200


def test_odd_values_in_office_forms_and_paths_are_refused_not_failed(db: str) -> None:
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        sign_in(client, "saule", "supervisor")
        token = form_token(client.get("/office/").text)
        entered = client.post(
            "/office/parameters/2026",
            data={"form_token": token, "tr_total": "100", "ii_rate": "0.03",
                  "reference": "letter\x00 1"},
        )  # fmt: skip
        assert entered.status_code == 422 and "control characters" in entered.text
        assert "Енгізілген мәндер қабылданбады:" in entered.text
        for action in ("rotate", "revoke"):
            answer = client.post(f"/office/operators/a%00b/{action}", data={"form_token": token})
            assert answer.status_code == 404, action
        assert client.get("/office/closes/9999").status_code == 404
        for address in ("/office/nope", "/office/closes/9999"):  # no office page is cached
            assert client.get(address).headers["cache-control"].startswith("no-store"), address
        assert client.get("/office/closes/2026").status_code == 200


def test_signing_in_again_in_one_browser_ends_the_session_it_had(db: str) -> None:
    """One browser, one session: signed in as another member, the first session's token
    opens nothing any more."""
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        sign_in(client, "aigerim", "clerk")
        first = client.cookies["urpaq_staff"]
        sign_in(client, "bolat", "supervisor")
        assert client.cookies["urpaq_staff"] != first
        with httpx.Client(base_url=url, cookies={"urpaq_staff": first}) as old:
            assert old.get("/office/").headers["location"] == "/office/sign-in"


def test_an_office_request_refused_at_the_edge_is_recorded_with_its_client(db: str) -> None:
    """A staff member's form sent from another site's page is refused before any route,
    and recorded like every office answer: with the client's address, as nobody's
    session was read."""
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        sign_in(client, "aigerim", "clerk")
        token = form_token(client.get("/office/persons").text)
        forged = client.post(
            "/office/persons",
            data={"iin": "150101500011", "form_token": token},
            headers={"Sec-Fetch-Site": "cross-site"},
        )
        assert forged.status_code == 403
    uow = open_unit_of_work(db)
    try:
        events = audit_events(uow, action="POST /office/persons", limit=10)
    finally:
        uow.close()
    assert [(e.actor, e.outcome) for e in events] == [("public:127.0.0.1", 403)]


def test_the_office_sign_in_is_limited_per_client(database_url: str) -> None:
    """An anonymous client cannot sign in (or come back from the identity provider)
    without end: past its allowance, 429 with `Retry-After`."""
    from api_server import serving
    from urpaq.entrypoints.http.app import create_app
    from urpaq.entrypoints.http.web.settings import WebSettings

    urpaq("init", db=database_url)
    settings = WebSettings(staff_sign_ins_per_client=2, staff_sign_in_refill_seconds=3600)
    app = create_app(database_url=database_url, staff_identity=development(), web_settings=settings)
    with serving(app) as url, httpx.Client(base_url=url) as client:
        answers = []
        for _ in range(3):
            form = client.get("/office/sign-in")
            answers.append(
                client.post(
                    "/office/sign-in",
                    data={"user": "aigerim", "role": "clerk", "form_token": form_token(form.text)},
                )
            )
    assert [a.status_code for a in answers] == [303, 303, 429]
    assert int(answers[2].headers["retry-after"]) > 0


def test_an_administrator_ends_every_session_of_a_staff_member(db: str) -> None:
    """`urpaq staff sign-out USER` ends that member's sessions at once, in every browser
    and on every server process, leaves the others', and is recorded in the audit log."""
    with office(db, development()) as url:
        browsers = [httpx.Client(base_url=url) for _ in range(3)]
        try:
            for browser, user in zip(browsers, ("aigerim", "aigerim", "bolat"), strict=True):
                sign_in(browser, user, "clerk")
            done = urpaq("staff", "sign-out", "aigerim", "--json", db=db)
            assert done.returncode == 0, done.stderr
            assert json.loads(done.stdout) == {"user": "aigerim", "sessions_ended": 2}
            again = urpaq("staff", "sign-out", "aigerim", "--json", db=db)
            assert json.loads(again.stdout)["sessions_ended"] == 0
            homes = [browser.get("/office/") for browser in browsers]
        finally:
            for browser in browsers:
                browser.close()
    assert [home.status_code for home in homes] == [303, 303, 200]
    assert "printable" in urpaq("staff", "sign-out", " ", db=db, check=3).stderr
    uow = open_unit_of_work(db)
    try:
        events = audit_events(uow, action="staff sign-out", limit=10)
    finally:
        uow.close()
    assert [(e.action, e.outcome) for e in events] == [("staff sign-out aigerim", 0)] * 2


def test_a_staff_member_is_signed_out_whatever_the_case_or_the_audit_logs_prefix(
    db: str,
) -> None:
    """`Carol` signed in; the administrator writes the name as the audit log shows it
    (`staff:Carol`) or in another case (`carol`): her sessions end either way, as the
    four-eyes rule compares names regardless of case."""
    with office(db, development()) as url:
        browsers = [httpx.Client(base_url=url) for _ in range(2)]
        try:
            for browser in browsers:
                sign_in(browser, "Carol", "clerk")
            first = json.loads(urpaq("staff", "sign-out", "staff:Carol", "--json", db=db).stdout)
            assert first["sessions_ended"] == 2
            assert [b.get("/office/").status_code for b in browsers] == [303, 303]
            sign_in(browsers[0], "Carol", "clerk")
            second = json.loads(urpaq("staff", "sign-out", "STAFF:carol", "--json", db=db).stdout)
            assert second["sessions_ended"] == 1
            assert browsers[0].get("/office/").status_code == 303
        finally:
            for browser in browsers:
                browser.close()


def test_the_way_back_from_the_provider_is_the_configured_one_whatever_the_host(
    db: str,
) -> None:
    """With `URPAQ_OIDC_REDIRECT_URI`, a request naming another host cannot make the
    provider send a member's code there; without it, the request's host is used (a proxy
    must vouch for it). A value that is no http(s) URL is refused at start."""
    import dataclasses
    from urllib.parse import parse_qs, urlsplit

    from urpaq.entrypoints.http.office.identity import StaffIdentityMisconfigured

    configured = "https://office.example.kz/office/sign-in/callback"
    with oidc_provider() as issuer:
        identity = dataclasses.replace(oidc_identity(issuer), redirect_uri=configured)
        with office(db, identity) as url, httpx.Client(base_url=url) as client:
            start = client.get("/office/sign-in/oidc", headers={"Host": "evil.example"})
        asked = parse_qs(urlsplit(start.headers["location"]).query)
        assert start.status_code == 303 and asked["redirect_uri"] == [configured]
        environ = {
            "URPAQ_STAFF_IDENTITY": "oidc", "URPAQ_OIDC_ISSUER": issuer,
            "URPAQ_OIDC_CLIENT_ID": "c", "URPAQ_OIDC_CLIENT_SECRET": "s",
        }  # fmt: skip
        for bad in ("evil.example/cb", "ftp://x/cb", "https://x/cb?next=y"):
            with pytest.raises(StaffIdentityMisconfigured, match="URPAQ_OIDC_REDIRECT_URI"):
                StaffIdentity.from_environment({**environ, "URPAQ_OIDC_REDIRECT_URI": bad})
        good = {**environ, "URPAQ_OIDC_REDIRECT_URI": configured}
        assert StaffIdentity.from_environment(good).redirect_uri == configured


def test_a_sign_in_return_with_a_malformed_query_is_a_page_not_json(db: str) -> None:
    """A `code` of over 2,048 characters or a `state` of over 256 was answered with the
    API's JSON (422) at a browser's address."""
    with office(db, development()) as url, httpx.Client(base_url=url) as client:
        for query in (f"code={'c' * 2049}&state=s", f"code=c&state={'s' * 257}"):
            answer = client.get(f"/office/sign-in/callback?{query}")
            assert answer.status_code == 400, answer.text
            assert answer.headers["content-type"].startswith("text/html")
            assert answer.headers["cache-control"] == "no-store"
            assert 'lang="kk"' in answer.text and answer.headers["x-request-id"] in answer.text
