"""The staff port in SQL, on the serving store's connection (beside `SqlServing`)."""

from __future__ import annotations

import datetime as dt

from urpaq.adapters.sql.connection import SqlConnection
from urpaq.adapters.sql.group_commit import GroupCommit, Row
from urpaq.adapters.sql.serving import write_soon
from urpaq.domain.staff import Role, StaffMember, same_person
from urpaq.services.ports.staff import PendingSignIn, StaffSession

#: Upper bounds of how long a staff session and a pending sign-in last: those that ended
#: this long before a new one begins are deleted then.
STAFF_SESSION_LASTS_AT_MOST = dt.timedelta(hours=24)
SIGN_IN_LASTS_AT_MOST = dt.timedelta(hours=1)


class SqlStaff:
    """`schema` is "" for SQLite's serving file, "serving." on PostgreSQL."""

    def __init__(
        self, db: SqlConnection, *, schema: str, writer: GroupCommit | None = None
    ) -> None:
        self.db = db
        self.schema = schema
        self.writer = writer

    def _write(self, sql: str, params: tuple[object, ...]) -> Row:
        return write_soon(self.db, self.writer, sql, params).result()

    def open_staff_session(
        self, *, token_digest: str, session: StaffSession, now: dt.datetime
    ) -> None:
        self._write(
            f"DELETE FROM {self.schema}staff_session WHERE expires_at <= ?",
            ((now - STAFF_SESSION_LASTS_AT_MOST).isoformat(),),
        )
        self._write(
            f"INSERT INTO {self.schema}staff_session"
            " (token_digest, user_name, role, form_token, expires_at) VALUES (?, ?, ?, ?, ?)",
            (
                token_digest, session.member.user, session.member.role.value,
                session.form_token, session.expires_at.isoformat(),
            ),
        )  # fmt: skip

    def staff_session(self, *, token_digest: str, now: dt.datetime) -> StaffSession | None:
        row = self.db.execute(
            f"SELECT user_name, role, form_token, expires_at FROM {self.schema}staff_session"
            " WHERE token_digest = ? AND expires_at > ?",
            (token_digest, now.isoformat()),
        ).fetchone()
        if row is None:
            return None
        user, role, form_token, expires_at = row
        return StaffSession(
            StaffMember(str(user), Role(role)),
            str(form_token),
            dt.datetime.fromisoformat(expires_at),
        )

    def close_staff_session(self, *, token_digest: str) -> None:
        self._write(
            f"DELETE FROM {self.schema}staff_session WHERE token_digest = ?", (token_digest,)
        )

    def close_sessions_of(self, *, user_name: str, now: dt.datetime) -> int:
        table = f"{self.schema}staff_session"
        # The few names with sessions, compared in Python: SQL's lower() knows ASCII only.
        names = [
            str(name)
            for (name,) in self.db.query(f"SELECT DISTINCT user_name FROM {table}")
            if same_person(str(name), user_name)
        ]
        open_ones = 0
        for name in names:
            open_ones += int(
                self.db.scalar(
                    f"SELECT COUNT(*) FROM {table} WHERE user_name = ? AND expires_at > ?",
                    (name, now.isoformat()),
                )
            )
            self._write(f"DELETE FROM {table} WHERE user_name = ?", (name,))
        return open_ones

    def save_sign_in(
        self, *, state_digest: str, pending: PendingSignIn, expires_at: dt.datetime
    ) -> None:
        self._write(
            f"DELETE FROM {self.schema}staff_sign_in WHERE expires_at <= ?",
            ((expires_at - SIGN_IN_LASTS_AT_MOST).isoformat(),),
        )
        self._write(
            f"INSERT INTO {self.schema}staff_sign_in"
            " (state_digest, code_verifier, nonce, expires_at) VALUES (?, ?, ?, ?)",
            (state_digest, pending.code_verifier, pending.nonce, expires_at.isoformat()),
        )

    def take_sign_in(self, *, state_digest: str, now: dt.datetime) -> PendingSignIn | None:
        row = self._write(
            f"DELETE FROM {self.schema}staff_sign_in WHERE state_digest = ? AND expires_at > ?"
            " RETURNING code_verifier, nonce",
            (state_digest, now.isoformat()),
        )
        return None if row is None else PendingSignIn(str(row[0]), str(row[1]))
