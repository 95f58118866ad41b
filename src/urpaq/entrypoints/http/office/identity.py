"""How staff prove who they are: OpenID Connect (authorization code with PKCE) against the
operator's identity provider, or — for development, on a loopback address only — a form
that signs in at once.

Configured from the environment (docs/office.md):

    URPAQ_STAFF_IDENTITY      oidc | development (unset: the back office signs in nobody)
    URPAQ_OIDC_ISSUER         the provider's issuer URL (its discovery document is read)
    URPAQ_OIDC_CLIENT_ID      this server's client id at the provider
    URPAQ_OIDC_CLIENT_SECRET  its secret (sent with HTTP Basic to the token endpoint)
    URPAQ_OIDC_ROLE_CLAIM     the ID token's claim holding the role (default urpaq_role)
    URPAQ_OIDC_USER_CLAIM     the claim naming the person (default sub: stable and unique)
    URPAQ_OIDC_REDIRECT_URI   the callback URL registered at the provider (default: built
                              from the request's Host, which a proxy must then vouch for)

The relying party itself is an adapter (`adapters/oidc.py`), made by
`bootstrap.oidc_provider`.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from urpaq import bootstrap
from urpaq.services.ports.staff import StaffIdentityProvider


class StaffIdentityMode(enum.StrEnum):
    NONE = "none"
    DEVELOPMENT = "development"
    OIDC = "oidc"


class StaffIdentityMisconfigured(ValueError):
    """The environment names no usable way to sign staff in; the message says what."""


@dataclass(frozen=True)
class StaffIdentity:
    mode: StaffIdentityMode
    provider: StaffIdentityProvider | None = None
    #: Where the provider sends staff back, as registered there; None: from the request.
    redirect_uri: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> StaffIdentity:
        env = os.environ if environ is None else environ
        text = env.get("URPAQ_STAFF_IDENTITY", "").strip() or StaffIdentityMode.NONE.value
        try:
            mode = StaffIdentityMode(text)
        except ValueError:
            raise StaffIdentityMisconfigured(
                f"URPAQ_STAFF_IDENTITY {text!r} is not one of oidc, development"
            ) from None
        if mode is not StaffIdentityMode.OIDC:
            return cls(mode)
        names = ("URPAQ_OIDC_ISSUER", "URPAQ_OIDC_CLIENT_ID", "URPAQ_OIDC_CLIENT_SECRET")
        missing = [name for name in names if not env.get(name, "").strip()]
        if missing:
            raise StaffIdentityMisconfigured(
                f"URPAQ_STAFF_IDENTITY=oidc needs {', '.join(missing)}"
            )
        redirect_uri = env.get("URPAQ_OIDC_REDIRECT_URI", "").strip() or None
        if redirect_uri is not None:
            parts = urlsplit(redirect_uri)
            if parts.scheme not in ("https", "http") or not parts.hostname or parts.query:
                raise StaffIdentityMisconfigured(
                    f"URPAQ_OIDC_REDIRECT_URI {redirect_uri[:100]!r} is not an http(s) URL"
                    " of this server's /office/sign-in/callback"
                )
        provider = bootstrap.oidc_provider(
            issuer=env["URPAQ_OIDC_ISSUER"].strip().rstrip("/"),
            client_id=env["URPAQ_OIDC_CLIENT_ID"].strip(),
            client_secret=env["URPAQ_OIDC_CLIENT_SECRET"].strip(),
            role_claim=env.get("URPAQ_OIDC_ROLE_CLAIM", "").strip() or "urpaq_role",
            user_claim=env.get("URPAQ_OIDC_USER_CLAIM", "").strip(),
        )
        return cls(mode, provider, redirect_uri)
