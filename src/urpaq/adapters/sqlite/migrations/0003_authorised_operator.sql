-- Schema version 3 (SQLite): authorised operators and their API credentials.
-- Only a digest of each credential is kept; a revoked operator keeps its row (history).

CREATE TABLE authorised_operator (
    operator_id       INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    purposes          TEXT NOT NULL,
    credential_digest TEXT NOT NULL UNIQUE,
    registered_on     TEXT NOT NULL,
    credential_on     TEXT NOT NULL,
    revoked_on        TEXT
);
