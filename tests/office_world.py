"""A back office to test: the real server on loopback over a small register, with staff
signed in through the development form or a real OpenID provider started on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import oidc_provider_mock

from api_server import serving
from urpaq import bootstrap
from urpaq.entrypoints.http.app import create_app
from urpaq.entrypoints.http.office.identity import StaffIdentity, StaffIdentityMode

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')

FEED = (
    "record_id,iin,kind,effective_date,recorded_on,region\n"
    "b1,150101500011,born_citizen,2015-01-01,2015-01-05,KZ-71\n"
    "b2,160202600019,born_citizen,2016-02-02,2016-02-07,KZ-79\n"
    "l1,150101500011,citizenship_lost,2024-04-01,2024-04-03,\n"
)
WITHDRAWAL = (
    "record_id,iin,kind,effective_date,recorded_on,region,retracts\n"
    "w1,150101500011,record_retracted,2025-03-01,2025-03-02,,l1\n"
)


def form_token(html: str) -> str:
    found = FORM_TOKEN.search(html)
    assert found, "the page has no anti-forgery field"
    return found[1]


def development() -> StaffIdentity:
    return StaffIdentity(StaffIdentityMode.DEVELOPMENT)


@contextmanager
def office(database_url: str, identity: StaffIdentity) -> Iterator[str]:
    """The server's base URL, with this staff identity."""
    with serving(create_app(database_url=database_url, staff_identity=identity)) as url:
        yield url


def sign_in(client: httpx.Client, user: str, role: str) -> None:
    """Sign in through the development form, as a browser would: fetch it, send it back."""
    form = client.get("/office/sign-in")
    assert form.status_code == 200, form.text
    answer = client.post(
        "/office/sign-in", data={"user": user, "role": role, "form_token": form_token(form.text)}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/office/", answer.text
    # The form's cookie ended with the flags it was set with (once `SameSite=lax` alone).
    ended = [c for c in answer.headers.get_list("set-cookie") if "urpaq_office_form" in c]
    assert ended and all("HttpOnly" in c and "SameSite=strict" in c for c in ended), ended


@contextmanager
def oidc_provider() -> Iterator[str]:
    """A real OpenID provider on loopback (oidc-provider-mock): its issuer URL."""
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


def oidc_identity(issuer: str) -> StaffIdentity:
    provider = bootstrap.oidc_provider(
        issuer=issuer, client_id="urpaq-office", client_secret="a-client-secret",
        role_claim="urpaq_role", user_claim="",
    )  # fmt: skip
    return StaffIdentity(StaffIdentityMode.OIDC, provider)


def provider_user(issuer: str, sub: str, claims: dict[str, object]) -> None:
    answer = httpx.put(f"{issuer}/users/{quote(sub)}", json=claims)
    assert answer.status_code == 204, answer.text


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
