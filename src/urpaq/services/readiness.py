"""Whether a server process can answer requests: what a load balancer asks before it
sends a process requests, and again while it serves (`GET /readyz`)."""

from __future__ import annotations

from dataclasses import dataclass

from urpaq.services.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Readiness:
    schema_version: int  # the database's
    latest_version: int  # the one this urpaq writes

    @property
    def ready(self) -> bool:
        return self.schema_version == self.latest_version

    @property
    def reason(self) -> str:
        """Why the process is not ready, in words an operator acts on."""
        if self.schema_version < self.latest_version:
            return (
                f"the database is at schema version {self.schema_version}, this urpaq"
                f" writes {self.latest_version}: run `urpaq init` on it"
            )
        return (
            f"the database is at schema version {self.schema_version}, newer than this"
            f" urpaq's {self.latest_version}: serve it with the newer urpaq"
        )


def readiness(uow: UnitOfWork) -> Readiness:
    """Read the database's schema version and the serving store's latest audit event (the
    two stores every answer needs); a database that cannot be reached raises the driver's
    error, which the edge answers 503 with `Retry-After`."""
    version = uow.schema.version()
    uow.serving.audit_events(iin=None, since=None, limit=1)
    return Readiness(schema_version=version, latest_version=uow.schema.latest_version())
