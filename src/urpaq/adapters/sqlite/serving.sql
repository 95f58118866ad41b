-- What the server processes share, in a SQLite file of its own beside the main database,
-- so that a long write to the main database never makes an answer wait.
CREATE TABLE IF NOT EXISTS audit_event (
    event_id    INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    iin         TEXT,
    outcome     INTEGER NOT NULL,
    request_id  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_event_iin ON audit_event (iin) WHERE iin IS NOT NULL;
-- The events of some days (`urpaq audit --since --until`): the first and last of them.
CREATE INDEX IF NOT EXISTS audit_event_at ON audit_event (at);
CREATE TRIGGER IF NOT EXISTS audit_event_is_append_only_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_event_is_append_only_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TABLE IF NOT EXISTS session (
    token_digest TEXT PRIMARY KEY NOT NULL,
    iin          TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS session_expires ON session (expires_at);
CREATE TABLE IF NOT EXISTS challenge (
    challenge_id  TEXT PRIMARY KEY NOT NULL,
    iin           TEXT NOT NULL,
    code_digest   TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    attempts_left INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS bucket (
    bucket TEXT PRIMARY KEY NOT NULL,
    tokens DOUBLE PRECISION NOT NULL,
    at      DOUBLE PRECISION NOT NULL,
    granted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS challenge_expires ON challenge (expires_at);
-- Buckets untouched for longer than any allowance takes to refill are full: swept.
CREATE INDEX IF NOT EXISTS bucket_at ON bucket (at);
CREATE TABLE IF NOT EXISTS staff_session (
    token_digest TEXT PRIMARY KEY NOT NULL,
    user_name    TEXT NOT NULL,
    role         TEXT NOT NULL,
    form_token   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS staff_session_expires ON staff_session (expires_at);
CREATE TABLE IF NOT EXISTS staff_sign_in (
    state_digest  TEXT PRIMARY KEY NOT NULL,
    code_verifier TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
