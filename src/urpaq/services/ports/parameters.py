"""The parameters port: the National Bank's two inputs per reporting year."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from urpaq.domain.parameters import YearParameters


class ParametersPort(Protocol):
    def parameters_for(self, year: int) -> YearParameters | None: ...

    def save(self, parameters: YearParameters, *, today: dt.date) -> None:
        """Record (or replace) the inputs of one year."""
        ...
