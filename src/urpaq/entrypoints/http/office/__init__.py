"""The operator's back office under `/office/`: staff sign-in (OpenID Connect), a person's
file, work queues, four eyes on what moves money, and the audit viewer (docs/office.md)."""

from __future__ import annotations

from fastapi import APIRouter

from urpaq.entrypoints.http.office import closes, operators, pages, parameters, queues, sign_in
from urpaq.entrypoints.http.office import i18n as _messages  # noqa: F401  (adds the words)
from urpaq.entrypoints.http.office import money_words as _money_words  # noqa: F401  (and these)

router = APIRouter()
router.include_router(sign_in.router)
router.include_router(pages.router)
router.include_router(queues.router)
router.include_router(parameters.router)
router.include_router(closes.router)
router.include_router(operators.router)
