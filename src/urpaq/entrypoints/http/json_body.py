"""A request's JSON body as the API reads it: UTF-8 only, every field once.

Python's `json` takes a body in UTF-16 or UTF-32 (it guesses the encoding) and, of a field
given twice, keeps the last value; a bank's gateway, fraud filter or log that reads the
first would see another amount, or another person, than the one paid.  Such a body is
not JSON the API takes: the route answers 422 naming `body` and what is wrong with it
(FastAPI turns a `json.JSONDecodeError` into that answer, `errors.py: invalid_request`).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request


class StrictJsonRequest(Request):
    """A request whose `json()` is `strict_json` of its body."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = strict_json(await self.body())
        return self._json


def strict_json(body: bytes) -> Any:
    """The JSON value of `body`; `json.JSONDecodeError` saying why it is none."""
    try:
        text = body.decode("utf-8-sig")  # a byte-order mark before it is no content
    except UnicodeDecodeError as error:
        raise json.JSONDecodeError("not UTF-8", repr(body[:40]), error.start) from None
    try:
        return json.loads(text, object_pairs_hook=_once_each)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text[:40], 0) from None
    except ValueError:  # a number of more digits than Python converts (4,300)
        raise json.JSONDecodeError("a number of more digits than are read", text[:40], 0) from None


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for name, value in pairs:
        if name in document:
            shown = name if len(name) <= 40 else name[:40] + "…"
            raise json.JSONDecodeError(f"the field {shown!r} is given twice", "", 0)
        document[name] = value
    return document
