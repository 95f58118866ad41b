"""The operator's back office under `/office/`: staff sign-in (OpenID Connect), a person's
file, work queues, four eyes on what moves money, and the audit viewer (docs/office.md)."""

from __future__ import annotations

from fastapi import APIRouter

from urpaq.entrypoints.http.office import i18n as _messages  # noqa: F401  (adds the words)
from urpaq.entrypoints.http.office import pages, queues, sign_in

router = APIRouter()
router.include_router(sign_in.router)
router.include_router(pages.router)
router.include_router(queues.router)
