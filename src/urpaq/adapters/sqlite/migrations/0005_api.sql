-- Schema version 5 (SQLite): what the HTTP API needs to move money exactly once and to
-- account for every access to personal data; payouts to the heirs of a deceased holder.

-- The first response to each write, under the caller's idempotency key.  `fingerprint`
-- is a digest of the request; the same key with another request is refused.
CREATE TABLE idempotency_record (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TRIGGER idempotency_record_is_final BEFORE UPDATE ON idempotency_record
BEGIN
    SELECT RAISE(ABORT, 'idempotency records are final');
END;

-- Who did what to whose data, and when: one row per request to the API and the pages.
-- Append-only: no statement of the application changes or removes a row.
CREATE TABLE audit_event (
    event_id    INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    iin         TEXT,
    outcome     INTEGER NOT NULL,
    request_id  TEXT NOT NULL
);

CREATE INDEX audit_event_iin ON audit_event (iin) WHERE iin IS NOT NULL;

CREATE TRIGGER audit_event_is_append_only_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_event_is_append_only_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Target savings of a deceased holder paid to an heir on a notary's certificate.
CREATE TABLE heir_payout (
    payout_id           TEXT PRIMARY KEY,
    person_id           INTEGER NOT NULL,
    operator_name       TEXT NOT NULL,
    amount_cents        INTEGER NOT NULL CHECK (amount_cents > 0),
    notary_certificate  TEXT NOT NULL,
    account             TEXT NOT NULL,
    paid_on             TEXT NOT NULL
);

CREATE INDEX heir_payout_person ON heir_payout (person_id);
