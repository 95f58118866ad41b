-- What the server processes share, in the schema `serving`: written in short
-- transactions of their own, without the writers' lock, so that a long write to the
-- register or the ledger never makes an answer wait.
CREATE SCHEMA IF NOT EXISTS serving;
CREATE TABLE IF NOT EXISTS serving.audit_event (
    event_id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TEXT COLLATE "C" NOT NULL,
    actor       TEXT COLLATE "C" NOT NULL,
    action      TEXT COLLATE "C" NOT NULL,
    iin         TEXT COLLATE "C",
    outcome     INTEGER NOT NULL,
    request_id  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_event_iin ON serving.audit_event (iin) WHERE iin IS NOT NULL;
-- The events of some days (`urpaq audit --since --until`): the first and last of them.
CREATE INDEX IF NOT EXISTS audit_event_at ON serving.audit_event (at);
CREATE OR REPLACE FUNCTION serving.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE OR REPLACE TRIGGER audit_event_is_append_only BEFORE UPDATE OR DELETE
ON serving.audit_event FOR EACH ROW EXECUTE FUNCTION serving.refuse_change();
CREATE OR REPLACE TRIGGER audit_event_is_append_only_truncate BEFORE TRUNCATE
ON serving.audit_event FOR EACH STATEMENT EXECUTE FUNCTION serving.refuse_change();
CREATE TABLE IF NOT EXISTS serving.session (
    token_digest TEXT COLLATE "C" PRIMARY KEY,
    iin          TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS session_expires ON serving.session (expires_at);
CREATE TABLE IF NOT EXISTS serving.challenge (
    challenge_id  TEXT COLLATE "C" PRIMARY KEY,
    iin           TEXT COLLATE "C" NOT NULL,
    code_digest   TEXT COLLATE "C" NOT NULL,
    expires_at    TEXT COLLATE "C" NOT NULL,
    attempts_left INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS serving.bucket (
    bucket TEXT COLLATE "C" PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    at      DOUBLE PRECISION NOT NULL,
    granted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS challenge_expires ON serving.challenge (expires_at);
-- Buckets untouched for longer than any allowance takes to refill are full: swept.
CREATE INDEX IF NOT EXISTS bucket_at ON serving.bucket (at);
CREATE TABLE IF NOT EXISTS serving.staff_session (
    token_digest TEXT COLLATE "C" PRIMARY KEY,
    user_name    TEXT COLLATE "C" NOT NULL,
    role         TEXT COLLATE "C" NOT NULL,
    form_token   TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS staff_session_expires ON serving.staff_session (expires_at);
CREATE TABLE IF NOT EXISTS serving.staff_sign_in (
    state_digest  TEXT COLLATE "C" PRIMARY KEY,
    code_verifier TEXT COLLATE "C" NOT NULL,
    nonce         TEXT COLLATE "C" NOT NULL,
    expires_at    TEXT COLLATE "C" NOT NULL
);
