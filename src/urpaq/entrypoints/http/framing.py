"""How a request is framed, as the edge reads it before anything else: its target in the
form every later step expects, whether its length is told one way, and a redirect to this
server's own address written as a path.  Each guards against a client (or a lax proxy in
front) that frames a request in a way two readers could read differently."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from starlette.types import Scope

#: Headers that tell where a request's body ends.
_LENGTH_HEADERS = frozenset({b"content-length", b"transfer-encoding"})


def in_origin_form(scope: Scope) -> None:
    """Make a request's target a path, as routes, the audit log and the access log expect.

    HTTP/1.1 lets a client send the whole URL (`GET http://host/api/v1/savings/… HTTP/1.1`,
    the absolute form a proxy is sent) and requires a server to accept it, taking the
    host from it rather than from `Host` (RFC 9112, 3.2.2).  The server passes it on as
    the path; unchanged, no route would match it and the audit log would not know it
    for the API's."""
    raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
    if not raw[:8].lower().startswith((b"http://", b"https://")):
        return  # the origin form; and `http%3A//…` is a path like any other
    target = urlsplit(raw)  # split as sent, before any %-escape is decoded
    scope["raw_path"] = target.path or b"/"
    scope["path"] = unquote(scope["raw_path"].decode("ascii", "replace"))
    scope["headers"] = [
        *((name, value) for name, value in scope["headers"] if name != b"host"),
        (b"host", target.netloc),
    ]


def ambiguous_length(scope: Scope) -> bool:
    """Whether the request tells its length two ways, `Content-Length` and
    `Transfer-Encoding`: a proxy in front that believes the first would take what follows
    the chunks for part of this request, and this server serves it as a request of its
    own (request smuggling).  Such a request is refused and its connection closed (RFC
    9112, 6.3)."""
    found = {name for name, _ in scope.get("headers", []) if name in _LENGTH_HEADERS}
    return found == _LENGTH_HEADERS


def declared_length(scope: Scope) -> int:
    """The body's length as its `Content-Length` gives it (0 when it gives none)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def own_address_as_path(
    scope: Scope, headers: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """`headers`, with a redirect to this server's own address given as a path alone.  The
    framework builds one (a slash added or taken off a path) from the request's `Host`,
    which a client or a lax proxy sets at will, or from the address the server listens
    on when the `Host` is no host at all (behind a proxy, an address no browser should
    be sent to): a path cannot send a browser, or a cache that keeps the redirect, to
    another site."""
    if not any(name.lower() == b"location" for name, _ in headers):
        return headers  # most answers: nothing to look at
    ours = _own_addresses(scope)
    rewritten = []
    for name, value in headers:
        if name.lower() == b"location":
            target = urlsplit(value.decode("latin-1"))
            if target.scheme in ("http", "https") and target.netloc in ours:
                value = (target.path or "/").encode("latin-1") + (
                    b"?" + target.query.encode("latin-1") if target.query else b""
                )
        rewritten.append((name, value))
    return rewritten


def _own_addresses(scope: Scope) -> set[str]:
    """The names a URL the framework made of this request can give this server: its
    `Host`, and the address it listens on (with and without a default port)."""
    ours = {value.decode("latin-1") for name, value in scope["headers"] if name == b"host"}
    server = scope.get("server")
    if server:
        host, port = server[0], server[1]
        ours.add(f"{host}:{port}" if port is not None else str(host))
        if port in (80, 443, None):
            ours.add(str(host))
    return ours
