-- Schema version 5 (PostgreSQL): what the HTTP API needs to move money exactly once and
-- to account for every access to personal data; payouts to the heirs of a deceased holder.

-- The first response to each write, under the caller's idempotency key.  `fingerprint`
-- is a digest of the request; the same key with another request is refused.
CREATE TABLE idempotency_record (
    scope        TEXT COLLATE "C" NOT NULL,
    key          TEXT COLLATE "C" NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TRIGGER idempotency_record_is_final BEFORE UPDATE ON idempotency_record
FOR EACH ROW EXECUTE FUNCTION refuse_change('idempotency records are final');

-- Who did what to whose data, and when: one row per request to the API and the pages.
-- Append-only: no statement of the application changes or removes a row (and a
-- production role for the server can be granted INSERT and SELECT only).
CREATE TABLE audit_event (
    event_id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TEXT COLLATE "C" NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    iin         TEXT COLLATE "C",
    outcome     INTEGER NOT NULL,
    request_id  TEXT NOT NULL
);

CREATE INDEX audit_event_iin ON audit_event (iin) WHERE iin IS NOT NULL;

CREATE TRIGGER audit_event_is_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION refuse_change('the audit log is append-only');
CREATE TRIGGER audit_event_is_append_only_truncate BEFORE TRUNCATE ON audit_event
FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the audit log is append-only');

-- Target savings of a deceased holder paid to an heir on a notary's certificate.
CREATE TABLE heir_payout (
    payout_id           TEXT COLLATE "C" PRIMARY KEY,
    person_id           BIGINT NOT NULL,
    operator_name       TEXT NOT NULL,
    amount_cents        BIGINT NOT NULL CHECK (amount_cents > 0),
    notary_certificate  TEXT NOT NULL,
    account             TEXT NOT NULL,
    paid_on             TEXT COLLATE "C" NOT NULL
);

CREATE INDEX heir_payout_person ON heir_payout (person_id);
