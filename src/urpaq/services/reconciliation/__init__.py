"""Prove every ledger identity, from the ledger and the register as the closes saw them:
`reconcile(uow)` runs the named checks of `checks.py` and `moves.py`, each small and on
its own."""

from urpaq.services.reconciliation.books import Check
from urpaq.services.reconciliation.checks import CHECKS, reconcile

__all__ = ["CHECKS", "Check", "reconcile"]
