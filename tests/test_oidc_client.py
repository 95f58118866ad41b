"""The back office's OpenID Connect client against a provider that misbehaves or moves
on: an issuer published with a trailing slash, answers that are not what they should be,
and signing keys rotated while the client keeps the old ones."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from urpaq.adapters import oidc
from urpaq.adapters.oidc import OidcClient, OidcSettings
from urpaq.services.ports.staff import PendingSignIn, SignInFailed


class Provider:
    """A provider's discovery document, keys and token endpoint, in memory."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.token_answer: httpx.Response | None = None

    def get(self, url: str, **_: Any) -> httpx.Response:
        if url.endswith("/.well-known/openid-configuration"):
            base = self.issuer.rstrip("/")
            return httpx.Response(200, json={
                "issuer": self.issuer, "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token", "jwks_uri": f"{base}/jwks",
            })  # fmt: skip
        return httpx.Response(200, json=KeySet([self.key]).as_dict(private=False))

    def post(self, url: str, **_: Any) -> httpx.Response:
        assert self.token_answer is not None
        return self.token_answer

    def id_token(self, pending: PendingSignIn, **claims: Any) -> str:
        body = {"iss": self.issuer, "aud": "urpaq", "exp": int(time.time()) + 300,
                "nonce": pending.nonce, "sub": "u-1", "urpaq_role": "clerk", **claims}  # fmt: skip
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, body, self.key)

    @contextlib.contextmanager
    def stream(self, method: str, url: str, **options: Any) -> Iterator[httpx.Response]:
        yield self.get(url) if method == "GET" else self.post(url, **options)


def client_of(provider: Provider, monkeypatch: pytest.MonkeyPatch) -> OidcClient:
    monkeypatch.setattr(oidc.httpx, "stream", provider.stream)
    return OidcClient(OidcSettings(provider.issuer.rstrip("/"), "urpaq", "secret"))


def sign_in(client: OidcClient, provider: Provider) -> str:
    _, _, pending = client.begin(redirect_uri="https://x/office/sign-in/callback")
    provider.token_answer = httpx.Response(200, json={"id_token": provider.id_token(pending)})
    return client.complete(code="c", pending=pending, redirect_uri="r").user


def test_an_issuer_published_with_a_trailing_slash_signs_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = Provider("https://tenant.example.com/")
    assert sign_in(client_of(provider, monkeypatch), provider) == "u-1"


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(200, text="<html>maintenance</html>"), httpx.Response(200, json=["x"]),
     httpx.Response(200, json={"access_token": "a"}), httpx.Response(400, json={})],
)  # fmt: skip
def test_a_token_endpoint_answering_nonsense_signs_nobody_in(
    answer: httpx.Response, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = Provider("https://idp.example")
    client = client_of(provider, monkeypatch)
    _, _, pending = client.begin(redirect_uri="r")
    provider.token_answer = answer
    with pytest.raises(SignInFailed):
        client.complete(code="c", pending=pending, redirect_uri="r")


def test_rotated_signing_keys_are_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oidc, "KEYS_REREAD_SECONDS", 0)
    provider = Provider("https://idp.example")
    client = client_of(provider, monkeypatch)
    assert sign_in(client, provider) == "u-1"
    provider.key = RSAKey.generate_key(2048, parameters={"kid": "k2"})
    assert sign_in(client, provider) == "u-1"


def test_a_token_signed_by_a_key_nobody_published_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = Provider("https://idp.example")
    client = client_of(provider, monkeypatch)
    _, _, pending = client.begin(redirect_uri="r")
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k9"})
    body = {"iss": provider.issuer, "aud": "urpaq", "exp": int(time.time()) + 300,
            "nonce": pending.nonce, "sub": "u-1", "urpaq_role": "clerk"}  # fmt: skip
    forged = jwt.encode({"alg": "RS256", "kid": "k9"}, body, stranger)
    provider.token_answer = httpx.Response(200, json={"id_token": forged})
    with pytest.raises(SignInFailed):
        client.complete(code="c", pending=pending, redirect_uri="r")


@pytest.mark.parametrize(
    ("audience", "party"),
    [(["other-client", "urpaq"], None), (["other-client", "urpaq"], "other-client"),
     ("urpaq", "other-client")],
)  # fmt: skip
def test_a_token_issued_to_another_client_is_refused(
    audience: object, party: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signed in as the token's `sub` (as a supervisor) whatever `azp` said, and with
    several audiences and none."""
    provider = Provider("https://idp.example")
    client = client_of(provider, monkeypatch)
    _, _, pending = client.begin(redirect_uri="r")
    claims = {"aud": audience} | ({} if party is None else {"azp": party})
    token = provider.id_token(pending, **claims)
    provider.token_answer = httpx.Response(200, json={"id_token": token})
    with pytest.raises(SignInFailed, match="azp"):
        client.complete(code="c", pending=pending, redirect_uri="r")
    _, _, pending = client.begin(redirect_uri="r")  # issued to this client: signed in
    token = provider.id_token(pending, aud=["other-client", "urpaq"], azp="urpaq")
    provider.token_answer = httpx.Response(200, json={"id_token": token})
    assert client.complete(code="c", pending=pending, redirect_uri="r").user == "u-1"


def test_a_provider_trickling_its_answer_is_given_up_on_as_a_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """httpx's timeout bounds each read: a discovery document sent a few bytes at a time
    was waited on for 36 s (every other staff sign-in of the process behind it).  Here
    each byte comes within the wait for bytes, the whole long after the time for all."""
    monkeypatch.setattr(oidc, "HTTP_TIMEOUT_SECONDS", 1.0)
    document = json.dumps({"issuer": "x", "authorization_endpoint": "a",
                           "token_endpoint": "t", "jwks_uri": "j"}).encode()  # fmt: skip

    class Trickling(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(document)))
            self.end_headers()
            for start in range(0, len(document), 8):
                self.wfile.write(document[start : start + 8])
                self.wfile.flush()
                time.sleep(0.2)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        client = OidcClient(OidcSettings(issuer, "urpaq", "secret"))
        with pytest.raises(SignInFailed, match="ReadTimeout"):
            client.begin(redirect_uri="r")
    finally:
        server.shutdown()
        server.server_close()
