"""Staff sign-in through OpenID Connect: the relying party of the back office.

Authorization code with PKCE (S256) and a nonce; the protocol's pieces come from Authlib
(the authorization request, the S256 challenge, the token request), and the ID token is
verified with joserfc: signed by one of the provider's published keys, this issuer, this
client as audience, not expired (a minute of leeway), this sign-in's nonce.  The
provider's discovery document and keys are read once an hour.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from urpaq.domain.staff import InvalidStaffMember, StaffMember, staff_member
from urpaq.services.ports.staff import PendingSignIn, SignInFailed

DISCOVERY_KEPT_SECONDS = 3600
#: A request to the provider is given up once its whole answer has taken this long (each
#: wait for its next bytes, at most half of it): httpx's own timeout bounds each read,
#: and a provider sending a few bytes every few seconds was waited on for half a minute,
#: every other staff sign-in of the process behind it.
HTTP_TIMEOUT_SECONDS = 10.0
#: The largest answer read from the provider (a discovery document, a key set, tokens).
ANSWER_BYTES_MAX = 1 << 20
CLOCK_LEEWAY_SECONDS = 60
#: A token signed with a key not yet known makes the keys be read again, at most this often.
KEYS_REREAD_SECONDS = 60


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    role_claim: str = "urpaq_role"
    user_claim: str = ""
    scope: str = "openid profile email"


@dataclass
class OidcClient:
    """The relying party: one per server process, its provider's metadata kept an hour."""

    settings: OidcSettings
    _discovered: tuple[float, dict[str, Any], KeySet] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def begin(self, *, redirect_uri: str) -> tuple[str, str, PendingSignIn]:
        """The provider's authorization URL, the state it will send back, and what the
        sign-in must match then (the PKCE verifier and the nonce)."""
        metadata, _ = self._metadata()
        state = secrets.token_urlsafe(32)
        pending = PendingSignIn(secrets.token_urlsafe(48), secrets.token_urlsafe(24))
        url = prepare_grant_uri(
            metadata["authorization_endpoint"], self.settings.client_id, "code",
            redirect_uri=redirect_uri, scope=self.settings.scope, state=state,
            nonce=pending.nonce, code_challenge=create_s256_code_challenge(pending.code_verifier),
            code_challenge_method="S256",
        )  # fmt: skip
        return url, state, pending

    def complete(self, *, code: str, pending: PendingSignIn, redirect_uri: str) -> StaffMember:
        """Exchange the code for tokens and read the staff member from the ID token."""
        metadata, keys = self._metadata()
        body = prepare_token_request(
            "authorization_code", code=code, redirect_uri=redirect_uri,
            code_verifier=pending.code_verifier,
        )  # fmt: skip
        basic = base64.b64encode(
            f"{self.settings.client_id}:{self.settings.client_secret}".encode()
        ).decode()
        try:
            status, answer = _fetch(
                "POST", metadata["token_endpoint"], content=body,
                headers={"Authorization": f"Basic {basic}",
                         "Content-Type": "application/x-www-form-urlencoded"},
            )  # fmt: skip
        except httpx.HTTPError as error:
            raise SignInFailed(
                f"the identity provider did not answer: {type(error).__name__}"
            ) from None
        if status != 200:
            raise SignInFailed(f"the identity provider refused the code ({status})")
        id_token = _json_object(answer).get("id_token")
        if not isinstance(id_token, str):
            raise SignInFailed("the identity provider sent no ID token")
        try:
            claims = self._claims(id_token, keys, metadata, nonce=pending.nonce)
        except InvalidKeyIdError:
            # The provider rotated its signing keys: read them once more.
            metadata, keys = self._metadata(refresh=True)
            try:
                claims = self._claims(id_token, keys, metadata, nonce=pending.nonce)
            except InvalidKeyIdError:
                raise SignInFailed("the ID token is signed with a key nobody published") from None
        return self._member(claims)

    def _claims(
        self, id_token: str, keys: KeySet, metadata: dict[str, Any], *, nonce: str
    ) -> dict[str, Any]:
        try:
            token = jwt.decode(id_token, keys)
            jwt.JWTClaimsRegistry(
                leeway=CLOCK_LEEWAY_SECONDS,
                # The issuer exactly as the provider publishes it (a trailing slash kept).
                iss={"essential": True, "value": str(metadata["issuer"])},
                aud={"essential": True, "value": self.settings.client_id},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except InvalidKeyIdError:
            raise
        except (JoseError, ValueError) as error:
            raise SignInFailed(f"the ID token is not valid: {type(error).__name__}") from None
        # Issued to this client: a token for several audiences names the one it was
        # issued to (`azp`), which must be this one (OpenID Connect Core 3.1.3.7).
        audience, party = token.claims.get("aud"), token.claims.get("azp")
        several = isinstance(audience, list) and len(audience) > 1
        if (several or party is not None) and party != self.settings.client_id:
            raise SignInFailed("the ID token was issued to another client (azp)")
        return dict(token.claims)

    def _member(self, claims: dict[str, Any]) -> StaffMember:
        # The subject is stable and unique at the provider; a display name is neither, and
        # four eyes compare who entered with who approves (docs/office.md).
        wanted = self.settings.user_claim or "sub"
        found = claims.get(wanted)
        user = found if isinstance(found, str) else ""
        role = claims.get(self.settings.role_claim)
        if isinstance(role, list) and len(role) == 1:
            role = role[0]
        if not isinstance(role, str):
            raise SignInFailed(f"the ID token names no role in claim {self.settings.role_claim}")
        try:
            return staff_member(user, role)
        except InvalidStaffMember as error:
            raise SignInFailed(str(error)) from None

    def _metadata(self, *, refresh: bool = False) -> tuple[dict[str, Any], KeySet]:
        with self._lock:
            found = self._discovered
            age = float("inf") if found is None else time.monotonic() - found[0]
            if (
                found is None
                or age > DISCOVERY_KEPT_SECONDS
                or (refresh and age > KEYS_REREAD_SECONDS)
            ):
                found = self._discover()
                self._discovered = found
            return found[1], found[2]

    def _discover(self) -> tuple[float, dict[str, Any], KeySet]:
        issuer = self.settings.issuer
        try:
            metadata = _json_object(_fetch("GET", f"{issuer}/.well-known/openid-configuration")[1])
            if str(metadata.get("issuer", "")).rstrip("/") != issuer:
                raise SignInFailed(f"the provider at {issuer} names another issuer")
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(metadata.get(name), str):
                    raise SignInFailed(f"the provider's metadata has no {name}")
            published: Any = _json_object(_fetch("GET", metadata["jwks_uri"])[1])
            keys = KeySet.import_key_set(published)
        except (httpx.HTTPError, ValueError, KeyError, TypeError, JoseError) as error:
            raise SignInFailed(
                f"the identity provider's metadata cannot be read: {type(error).__name__}"
            ) from None
        return time.monotonic(), metadata, keys


def _fetch(method: str, url: str, **options: Any) -> tuple[int, bytes]:
    """One request to the provider: its status and body, the whole within
    `HTTP_TIMEOUT_SECONDS` (give or take one wait for bytes) and `ANSWER_BYTES_MAX`;
    `httpx.TimeoutException` past them."""
    deadline = time.monotonic() + HTTP_TIMEOUT_SECONDS
    with httpx.stream(method, url, timeout=HTTP_TIMEOUT_SECONDS / 2, **options) as answer:
        body = bytearray()
        for chunk in answer.iter_bytes():
            body += chunk
            if time.monotonic() > deadline or len(body) > ANSWER_BYTES_MAX:
                raise httpx.ReadTimeout("the answer is too slow or too long", request=None)
        return answer.status_code, bytes(body)


def _json_object(answer: bytes) -> dict[str, Any]:
    """An answer's JSON object; `SignInFailed` for anything else."""
    try:
        document = json.loads(answer)
    except ValueError:
        raise SignInFailed("the identity provider answered with something not JSON") from None
    if not isinstance(document, dict):
        raise SignInFailed("the identity provider answered with JSON that is not an object")
    return document
