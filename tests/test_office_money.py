"""Four eyes on what moves money, over HTTP against the real server: the National Bank's
inputs entered by one staff member and approved by another, the close previewed (nothing
written) and run, and authorised operators added, rotated and revoked — each on SQLite
and PostgreSQL, every change in the audit log with the staff member as actor."""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from office_world import FEED, development, form_token, office, sign_in, write
from test_cli import scalar, urpaq
from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.audit import AuditEvent
from urpaq.services.audit import audit_events

PROPOSAL = re.compile(r'name="proposal" value="(\d+)"')
FIGURE = re.compile(r'<tr><th scope="row">([^<]+)</th><td class="number">([^<]*)</td>')
CODE = re.compile(r'data-code="([a-z_]+)"')
CREDENTIAL = re.compile(r'<code id="credential">([^<]+)</code>')

NEW_2025 = {"tr_total": "904372200.00", "ii_rate": "2.97%", "reference": "NB letter 17-2/301"}
MINOR = "160202600019"  # in the register of FEED: a child, so no target savings


@pytest.fixture
def db(database_url: str, tmp_path: Path) -> str:
    """A small register with the shipped inputs, closed 2023 and 2024: 2025 is next."""
    urpaq("init", db=database_url)
    urpaq("register", "import", str(write(tmp_path / "a.csv", FEED)), db=database_url)
    urpaq("parameters", "import", db=database_url)
    urpaq("close", "2023", "--as-of", "2024-01-31", db=database_url)
    urpaq("close", "2024", "--as-of", "2025-01-31", db=database_url)
    return database_url


@contextmanager
def staff(url: str, user: str, role: str) -> Iterator[httpx.Client]:
    """A browser of one staff member, signed in, reading English."""
    with httpx.Client(base_url=url, timeout=120, headers={"Accept-Language": "en"}) as client:
        sign_in(client, user, role)
        yield client


def post_form(client: httpx.Client, page: str, action: str, **fields: str) -> httpx.Response:
    """Open `page`, then send its form to `action` as a browser would: with the form's
    hidden fields (the anti-forgery field among them) and `fields`."""
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    return client.post(action, data={**hidden_fields(shown.text, action), **fields})


def hidden_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the page's form sent to `action` (the anti-forgery field only,
    when the page has no such form)."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    found = re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[1] if form else ""
    )
    return {"form_token": form_token(page), **{name: html.unescape(value) for name, value in found}}


def figures(html: str) -> dict[str, str]:
    return dict(FIGURE.findall(html))


def events(db: str) -> list[AuditEvent]:
    uow = open_unit_of_work(db)
    try:
        return audit_events(uow)
    finally:
        uow.close()


def written(db: str) -> tuple[object, ...]:
    """What a close writes: its entries, their postings and the closed years."""
    return tuple(
        scalar(db, f"SELECT COUNT(*) FROM {table}")
        for table in ("journal_entry", "posting", "year_close")
    )


def test_inputs_entered_approved_by_another_then_previewed_and_closed(db: str) -> None:
    with office(db, development()) as url:
        with staff(url, "aigerim", "clerk") as clerk:
            entered = post_form(
                clerk, "/office/parameters/2025", "/office/parameters/2025", **NEW_2025
            )
            assert entered.status_code == 200, entered.text
            assert 'id="notice"' in entered.text and 'id="awaiting"' in entered.text
            assert "904\u202f372\u202f200.00" in entered.text and "0.0297" in entered.text
            assert 'id="approve"' not in entered.text  # a clerk does not approve
        with staff(url, "dana", "auditor") as auditor:  # the close waits for the approval
            refused = post_form(
                auditor, "/office/closes/2025", "/office/closes/2025/preview", as_of="2026-01-30"
            )
            assert refused.status_code == 409
            assert CODE.findall(refused.text) == ["parameters_awaiting_approval"]
        with staff(url, "saule", "supervisor") as supervisor:
            page = supervisor.get("/office/parameters/2025")
            (proposal,) = PROPOSAL.findall(page.text)[:1]
            approved = supervisor.post(
                "/office/parameters/2025/approve",
                data={"proposal": proposal, "form_token": form_token(page.text)},
            )
            assert approved.status_code == 200, approved.text
            assert 'id="awaiting"' not in approved.text
            assert "904\u202f372\u202f200.00" in approved.text.split('id="current-tr-total"')[1]
            listed = supervisor.get("/office/parameters").text
            assert "approved by staff:saule" in listed and "entered by staff:aigerim" in listed
        with staff(url, "dana", "auditor") as auditor:
            before = written(db)
            preview = post_form(
                auditor, "/office/closes/2025", "/office/closes/2025/preview", as_of="2026-01-30"
            )
            assert preview.status_code == 200, preview.text
            assert 'data-state="preview"' in preview.text
            assert written(db) == before  # nothing written
            shown = figures(preview.text)
            assert shown["Participants"] == "1" and shown["TR total"] == "904\u202f372\u202f200.00"
            assert '<th scope="col" class="number">2024</th>' in preview.text  # beside last year
            assert 'id="due-on">2026-01-30<' in preview.text and 'id="on-time">yes<' in preview.text
            assert 'id="run"' not in preview.text  # an auditor does not run a close
        with staff(url, "saule", "supervisor") as supervisor:
            run = post_form(
                supervisor, "/office/closes/2025", "/office/closes/2025/run", as_of="2026-01-30"
            )
            assert run.status_code == 200, run.text
            assert 'data-state="closed"' in run.text and figures(run.text) == shown
            assert written(db) != before
            closes = supervisor.get("/office/closes")
            assert '<a href="/office/closes/2025">2025</a>' in closes.text
            assert 'href="/office/closes/2026"' in closes.text
    recorded = {(e.actor, e.action, e.outcome) for e in events(db)}
    assert {
        ("staff:aigerim", "POST /office/parameters/2025", 200),
        ("staff:dana", "POST /office/closes/2025/preview", 409),
        ("staff:saule", "POST /office/parameters/2025/approve", 200),
        ("staff:dana", "POST /office/closes/2025/preview", 200),
        ("staff:saule", "POST /office/closes/2025/run", 200),
    } <= recorded


def test_the_one_who_entered_the_inputs_cannot_approve_them(db: str) -> None:
    with office(db, development()) as url:
        with staff(url, "saule", "supervisor") as saule:
            entered = post_form(
                saule,
                "/office/parameters/2026",
                "/office/parameters/2026",
                tr_total="912345678.00",
                ii_rate="0.0301",
                reference="NB 2027/4",
            )
            assert 'id="not-yours"' in entered.text and 'id="approve"' not in entered.text
            (proposal,) = PROPOSAL.findall(entered.text)[:1]
            refused = saule.post(
                "/office/parameters/2026/approve",
                data={"proposal": proposal, "form_token": form_token(entered.text)},
            )
            assert refused.status_code == 403
            assert CODE.findall(refused.text) == ["same_person"]
            assert "another staff member approves them" in refused.text
        with staff(url, "SAULE", "supervisor") as again:  # the same person, by another case
            page = again.get("/office/parameters/2026")
            refused = again.post(
                "/office/parameters/2026/approve",
                data={"proposal": proposal, "form_token": form_token(page.text)},
            )
            assert refused.status_code == 403
        assert scalar(db, "SELECT COUNT(*) FROM year_parameters WHERE year = 2026") == 0
        with staff(url, "marat", "supervisor") as marat:
            page = marat.get("/office/parameters/2026")
            stale = marat.post(  # the inputs the approver did not see are not approved
                "/office/parameters/2026/approve",
                data={"proposal": str(int(proposal) + 1), "form_token": form_token(page.text)},
            )
            assert stale.status_code == 409
            assert CODE.findall(stale.text) == ["proposal_changed"]
            for decision in ("approve", "reject"):  # past what Python reads as a number: 500
                huge = marat.post(
                    f"/office/parameters/2026/{decision}",
                    data={"proposal": "9" * 4301, "form_token": form_token(page.text)},
                )
                assert huge.status_code == 409, huge.text
                assert CODE.findall(huge.text) == ["proposal_changed"]
            approved = marat.post(
                "/office/parameters/2026/approve",
                data={"proposal": proposal, "form_token": form_token(page.text)},
            )
            assert approved.status_code == 200
        assert scalar(db, "SELECT tr_total_cents FROM year_parameters WHERE year = 2026") == (
            91234567800
        )


def test_a_close_refuses_inputs_awaiting_approval_also_from_the_command_line(db: str) -> None:
    with office(db, development()) as url, staff(url, "aigerim", "clerk") as clerk:
        entered = post_form(clerk, "/office/parameters/2025", "/office/parameters/2025", **NEW_2025)
        assert entered.status_code == 200
        # 2025 has approved inputs (the shipped ones): new ones awaiting approval still hold
        # the close back, since someone is changing them.
        refused = urpaq("close", "2025", "--as-of", "2026-01-30", db=db, check=3)
        assert "[parameters_awaiting_approval]" in refused.stderr
        assert "staff:aigerim" in refused.stderr
        preview = urpaq("close", "2025", "--as-of", "2026-01-30", "--preview", db=db, check=3)
        assert "[parameters_awaiting_approval]" in preview.stderr
        # The administrator's path records inputs at once, and leaves the ones awaiting.
        urpaq(
            "parameters",
            "set",
            "2025",
            "--tr-total",
            "904372119.04",
            "--ii-rate",
            "0.02966",
            "--reference",
            "again",
            db=db,
        )
        urpaq("close", "2025", "--as-of", "2026-01-30", db=db, check=3)
        with staff(url, "saule", "supervisor") as supervisor:
            page = supervisor.get("/office/parameters/2025")
            (proposal,) = PROPOSAL.findall(page.text)[:1]
            rejected = supervisor.post(
                "/office/parameters/2025/reject",
                data={"proposal": proposal, "form_token": form_token(page.text)},
            )
            assert rejected.status_code == 200 and 'id="awaiting"' not in rejected.text
        urpaq("close", "2025", "--as-of", "2026-01-30", db=db)
    assert scalar(db, "SELECT COUNT(*) FROM year_close WHERE year = 2025") == 1


def test_inputs_are_checked_as_the_command_line_checks_them(db: str) -> None:
    with office(db, development()) as url, staff(url, "aigerim", "clerk") as clerk:
        page = "/office/parameters/2026"
        for fields, named in (
            ({**NEW_2025, "tr_total": "12.345"}, "'12.345'"),
            ({**NEW_2025, "tr_total": "0"}, "TR total 0.00 must be positive"),
            ({**NEW_2025, "ii_rate": "1e-3"}, "'1e-3'"),
            ({**NEW_2025, "ii_rate": "1.5"}, "II rate 1.5 must be at least 0 and below 1"),
            ({**NEW_2025, "reference": "  "}, "a reference to the source is required"),
            ({**NEW_2025, "reference": "L" * 501}, "501 characters long, at most 500"),
            ({**NEW_2025, "tr_total": "9" * 60_000}, "has more than 30 digits"),
        ):
            answer = post_form(clerk, page, page, **fields)
            assert answer.status_code == 422, fields
            assert named in html.unescape(answer.text) and 'id="enter-problem"' in answer.text
        closed = post_form(clerk, "/office/parameters/2023", "/office/parameters/2023", **NEW_2025)
        assert closed.status_code == 409 and CODE.findall(closed.text) == ["year_closed"]
        for path in ("/office/parameters/2022", "/office/parameters/year", "/office/closes/99"):
            assert clerk.get(path).status_code == 404
        late = post_form(
            clerk, "/office/closes/2025", "/office/closes/2025/preview", as_of="31.01.2026"
        )
        assert late.status_code == 422 and "'31.01.2026'" in html.unescape(late.text)
        early = post_form(
            clerk, "/office/closes/2026", "/office/closes/2026/preview", as_of="2026-01-30"
        )
        assert early.status_code == 409
        assert CODE.findall(early.text) == ["out_of_order"]
    assert scalar(db, "SELECT COUNT(*) FROM parameter_proposal") == 0


def test_the_command_line_records_the_administrators_inputs_in_the_audit_log(db: str) -> None:
    urpaq(
        "parameters",
        "set",
        "2026",
        "--tr-total",
        "912345678.00",
        "--ii-rate",
        "0.0301",
        "--reference",
        "NB letter",
        db=db,
    )
    urpaq(
        "parameters",
        "set",
        "2023",
        "--tr-total",
        "1.00",
        "--ii-rate",
        "0",
        "--reference",
        "NB letter",
        db=db,
        check=3,
    )
    # Refused before the database is asked: a decimal comma, a year before the programme,
    # a file that is no parameters file.  Each is recorded too.
    base = ["--ii-rate", "0.03", "--reference", "NB letter"]
    urpaq("parameters", "set", "2027", "--tr-total", "1,5", *base, db=db, check=3)
    urpaq("parameters", "set", "2022", "--tr-total", "1.00", *base, db=db, check=3)
    urpaq("parameters", "import", "/", db=db, check=3)
    found = [(e.actor.split(":")[0], e.action, e.outcome) for e in events(db)]
    assert ("cli", "parameters set 2026", 0) in found
    assert ("cli", "parameters set 2023", 3) in found
    assert ("cli", "parameters set 2027", 3) in found
    assert ("cli", "parameters set 2022", 3) in found
    assert ("cli", "parameters import", 3) in found
    assert ("cli", "parameters import 2023,2024,2025", 0) in found
    with office(db, development()) as url, staff(url, "saule", "supervisor") as supervisor:
        listed = supervisor.get("/office/parameters").text
        assert "set by the administrator from the command line" in listed


def test_inputs_whose_audit_event_cannot_be_written_are_not_recorded(db: str) -> None:
    """The audit log refusing writes: the inputs were saved, then the command failed
    saying they could not be recorded (exit 1, the change made all the same). Now the
    event is written before the change commits, and nothing changes without it."""
    refusal = "the audit log is closed for this test"
    if db.startswith("sqlite"):
        serving = Path(db.removeprefix("sqlite:///"))
        with sqlite3.connect(serving.with_name(f"{serving.stem}-serving.db")) as audit_db:
            audit_db.execute(
                "CREATE TRIGGER shut BEFORE INSERT ON audit_event"
                f" BEGIN SELECT RAISE(ABORT, '{refusal}'); END"
            )
    else:
        uow = open_unit_of_work(db)
        try:
            uow.db.begin()
            uow.db.execute(
                "CREATE FUNCTION serving.shut() RETURNS trigger LANGUAGE plpgsql AS"
                f" $$ BEGIN RAISE EXCEPTION '{refusal}'; END $$"
            )
            uow.db.execute(
                "CREATE TRIGGER shut BEFORE INSERT ON serving.audit_event"
                " FOR EACH ROW EXECUTE FUNCTION serving.shut()"
            )
            uow.db.commit()
        finally:
            uow.close()
    base = ["--ii-rate", "0.03", "--reference", "NB letter"]
    done = urpaq("parameters", "set", "2026", "--tr-total", "5.00", *base, db=db, check=1)
    assert "could not be recorded in the audit log (nothing was changed)" in done.stderr
    assert scalar(db, "SELECT COUNT(*) FROM year_parameters WHERE year = 2026") == 0
    closed = urpaq("parameters", "set", "2023", "--tr-total", "5.00", *base, db=db, check=1)
    assert "(nothing was changed)" in closed.stderr and "(it was done)" not in closed.stderr


def test_operators_added_rotated_and_revoked_with_each_credential_shown_once(db: str) -> None:
    with office(db, development()) as url, staff(url, "saule", "supervisor") as supervisor:

        def works(credential: str) -> bool:
            answer = httpx.get(
                f"{url}/api/v1/savings/{MINOR}", headers={"Authorization": f"Bearer {credential}"}
            )
            assert answer.status_code in (401, 404), answer.text
            return answer.status_code == 404  # no_target_savings: the credential was taken

        added = post_form(
            supervisor,
            "/office/operators",
            "/office/operators",
            name="Example Bank",
            purposes="housing",
        )
        assert added.status_code == 201, added.text
        assert added.headers["cache-control"].startswith("no-store")
        (first,) = CREDENTIAL.findall(added.text)
        assert works(first)
        listed = supervisor.get("/office/operators")
        assert first not in listed.text and "Example Bank" in listed.text
        rotated = post_form(
            supervisor, "/office/operators", "/office/operators/Example%20Bank/rotate"
        )
        assert rotated.status_code == 200 and rotated.headers["cache-control"].startswith(
            "no-store"
        )
        (second,) = CREDENTIAL.findall(rotated.text)
        assert second != first and not works(first) and works(second)
        # The page's form sent again (a reload of the answer, two supervisors at once):
        # refused, the credential just issued in force still.
        rotate = "/office/operators/Example%20Bank/rotate"
        shown = supervisor.get("/office/operators").text
        assert supervisor.post(rotate, data=hidden_fields(shown, rotate)).status_code == 200
        twice = supervisor.post(rotate, data=hidden_fields(shown, rotate))
        assert twice.status_code == 409 and CODE.findall(twice.text) == ["credential_replaced"]
        (second,) = CREDENTIAL.findall(
            post_form(supervisor, "/office/operators", rotate).text
        )  # a rotation from the page as it now stands is taken
        assert works(second) and not CREDENTIAL.findall(twice.text)
        again = post_form(
            supervisor,
            "/office/operators",
            "/office/operators",
            name="Example Bank",
            purposes="education",
        )
        assert again.status_code == 409 and CODE.findall(again.text) == ["operator_exists"]
        revoked = post_form(
            supervisor, "/office/operators", "/office/operators/Example%20Bank/revoke"
        )
        assert revoked.status_code == 200 and not works(second)
        assert 'data-operator="Example Bank"' in revoked.text and "revoked" in revoked.text
        gone = post_form(supervisor, "/office/operators", "/office/operators/Example%20Bank/rotate")
        assert gone.status_code == 409 and CODE.findall(gone.text) == ["operator_revoked"]
        unknown = post_form(supervisor, "/office/operators", "/office/operators/Nobody/revoke")
        assert unknown.status_code == 404
        for name, purposes in (("x", "housing"), ("Other Bank", "pensions"), ("Other Bank", "")):
            bad = post_form(
                supervisor, "/office/operators", "/office/operators", name=name, purposes=purposes
            )
            assert bad.status_code == 422, (name, purposes)
        both = supervisor.post(
            "/office/operators",
            data={
                "name": "Post",
                "purposes": ["education", "inheritance"],
                "form_token": form_token(listed.text),
            },
        )
        assert both.status_code == 201
        assert "education, payouts to heirs" in supervisor.get("/office/operators").text
    recorded = events(db)
    assert not [e for e in recorded if first in repr(e) or second in repr(e)]
    actions = {(e.actor, e.action, e.outcome) for e in recorded}
    assert {
        ("staff:saule", "POST /office/operators (Example Bank: housing)", 201),
        ("staff:saule", "POST /office/operators (Post: education,inheritance)", 201),
        ("staff:saule", "POST /office/operators/Example Bank/rotate", 200),
        ("staff:saule", "POST /office/operators/Example Bank/revoke", 200),
    } <= actions


FORMS = [
    ("/office/parameters/2026", "/office/parameters/2026", NEW_2025),
    ("/office/parameters/2025", "/office/parameters/2025/approve", {"proposal": "1"}),
    ("/office/parameters/2025", "/office/parameters/2025/reject", {"proposal": "1"}),
    ("/office/closes/2025", "/office/closes/2025/preview", {"as_of": "2026-01-30"}),
    ("/office/closes/2025", "/office/closes/2025/run", {"as_of": "2026-01-30"}),
    ("/office/operators", "/office/operators", {"name": "Forged Bank", "purposes": "housing"}),
    ("/office/operators", "/office/operators/Example%20Bank/rotate", {}),
    ("/office/operators", "/office/operators/Example%20Bank/revoke", {}),
]


def test_a_form_without_the_sessions_anti_forgery_value_changes_nothing(db: str) -> None:
    with office(db, development()) as url:
        with staff(url, "aigerim", "clerk") as clerk:
            post_form(clerk, "/office/parameters/2025", "/office/parameters/2025", **NEW_2025)
        with staff(url, "saule", "supervisor") as supervisor:
            post_form(
                supervisor,
                "/office/operators",
                "/office/operators",
                name="Example Bank",
                purposes="housing",
            )
            before = (
                written(db),
                scalar(db, "SELECT COUNT(*) FROM parameter_proposal"),
                scalar(db, "SELECT credential_digest FROM authorised_operator"),
            )
            with staff(url, "other", "supervisor") as other:  # another session's value
                foreign = form_token(other.get("/office/").text)
            for _, action, fields in FORMS:
                for token in (None, "", "not-the-token", foreign):
                    data = {**fields, **({} if token is None else {"form_token": token})}
                    answer = supervisor.post(action, data=data)
                    assert answer.status_code == 403, (action, token)
                    assert "expired" in answer.text
        after = (
            written(db),
            scalar(db, "SELECT COUNT(*) FROM parameter_proposal"),
            scalar(db, "SELECT credential_digest FROM authorised_operator"),
        )
        assert after == before
        assert scalar(db, "SELECT COUNT(*) FROM parameter_proposal WHERE decision IS NULL") == 1


PAGES = (
    "/office/parameters",
    "/office/parameters/2025",
    "/office/closes",
    "/office/closes/2024",
    "/office/closes/2025",
    "/office/operators",
)
HEADINGS = {"kk": "Ұлттық Банктің деректері", "ru": "Данные Нацбанка", "en": "National Bank inputs"}


def test_the_pages_speak_kazakh_russian_and_english(db: str) -> None:
    with office(db, development()) as url:
        with staff(url, "aigerim", "clerk") as clerk:
            post_form(clerk, "/office/parameters/2025", "/office/parameters/2025", **NEW_2025)
        with staff(url, "saule", "supervisor") as supervisor:
            post_form(
                supervisor,
                "/office/operators",
                "/office/operators",
                name="Bank",
                purposes="housing",
            )
            for language, heading in HEADINGS.items():
                for path in PAGES:
                    answer = supervisor.get(path, params={"lang": language})
                    assert answer.status_code == 200, (path, language)
                    assert f'<html lang="{language}">' in answer.text
                    assert answer.headers["cache-control"].startswith("no-store"), path
                assert heading in supervisor.get("/office/parameters").text
                refused = post_form(
                    supervisor,
                    "/office/closes/2025",
                    f"/office/closes/2025/preview?lang={language}",
                    as_of="2026-01-30",
                )
                assert refused.status_code == 409 and f'<html lang="{language}">' in refused.text


def test_adding_an_operator_is_recorded_naming_the_operator_and_what_it_pays(db: str) -> None:
    """The path of the form does not say which operator was added; its audit event does."""
    with office(db, development()) as url, staff(url, "saule", "supervisor") as supervisor:
        added = post_form(
            supervisor, "/office/operators", "/office/operators", name="Zz Bank", purposes="housing"
        )
        assert added.status_code == 201, added.text
    uow = open_unit_of_work(db)
    try:
        events = audit_events(uow, actor="saule", action="POST /office/operators", limit=10)
    finally:
        uow.close()
    assert [(e.action, e.outcome) for e in events] == [
        ("POST /office/operators (Zz Bank: housing)", 201)
    ]
