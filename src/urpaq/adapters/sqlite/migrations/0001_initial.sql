-- Schema version 1 (SQLite): the register, the parameters, the closes and the ledger.
-- Money is INTEGER cents.  Dates are ISO text YYYY-MM-DD.  The ledger is append-only
-- and every journal entry must balance: the triggers below refuse anything else.

CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL
);

CREATE TABLE person (
    person_id  INTEGER PRIMARY KEY,
    iin        TEXT NOT NULL UNIQUE,
    birth_date TEXT NOT NULL,
    is_male    INTEGER NOT NULL CHECK (is_male IN (0, 1)),
    region     TEXT
);

CREATE TABLE import_batch (
    batch_id    INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    source      TEXT NOT NULL,
    imported_on TEXT NOT NULL,
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    accepted    INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL
);

-- Clustered by person: the close reads every person's records together in one pass.
CREATE TABLE register_record (
    person_id      INTEGER NOT NULL REFERENCES person (person_id),
    seq            INTEGER NOT NULL,
    record_id      TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL CHECK (kind IN (
                       'born_citizen', 'citizenship_acquired', 'citizenship_lost',
                       'citizenship_renounced', 'died', 'declared_dead',
                       'record_annulled', 'data_updated')),
    effective_date TEXT NOT NULL,
    recorded_on    TEXT NOT NULL CHECK (recorded_on >= effective_date),
    region         TEXT,
    birth_year     INTEGER NOT NULL,
    batch_id       INTEGER NOT NULL REFERENCES import_batch (batch_id),
    PRIMARY KEY (person_id, seq)
) WITHOUT ROWID;

CREATE INDEX register_record_birth_year ON register_record (birth_year);

CREATE TABLE rejected_record (
    batch_id  INTEGER NOT NULL REFERENCES import_batch (batch_id),
    line      INTEGER NOT NULL,
    record_id TEXT,
    reason    TEXT NOT NULL,
    PRIMARY KEY (batch_id, line)
);

CREATE TABLE year_parameters (
    year           INTEGER PRIMARY KEY,
    tr_total_cents INTEGER NOT NULL CHECK (tr_total_cents > 0),
    ii_rate        TEXT NOT NULL,
    reference      TEXT NOT NULL,
    set_on         TEXT NOT NULL
);

CREATE TABLE year_close (
    year            INTEGER PRIMARY KEY,
    as_of           TEXT NOT NULL,
    watermark       INTEGER NOT NULL,
    per_child_cents INTEGER NOT NULL,
    ii_rate         TEXT NOT NULL,
    result_json     TEXT NOT NULL
);

CREATE TABLE journal_entry (
    entry_id       INTEGER PRIMARY KEY,
    key            TEXT NOT NULL UNIQUE,
    content_hash   TEXT NOT NULL,
    kind           TEXT NOT NULL,
    reporting_year INTEGER NOT NULL,
    corrects       TEXT REFERENCES journal_entry (key),
    posted_on      TEXT NOT NULL
);

CREATE TABLE posting (
    entry_id     INTEGER NOT NULL,
    account      TEXT NOT NULL,
    person_id    INTEGER REFERENCES person (person_id),
    amount_cents INTEGER NOT NULL
);

CREATE INDEX posting_entry ON posting (entry_id);
CREATE INDEX posting_account ON posting (account);
CREATE INDEX posting_person ON posting (person_id) WHERE person_id IS NOT NULL;

-- Postings are written first, then the entry that seals them: the entry is refused
-- unless its postings balance, and a sealed entry takes no more postings.
CREATE TRIGGER journal_entry_balances BEFORE INSERT ON journal_entry
WHEN (SELECT COUNT(*) FROM posting WHERE entry_id = NEW.entry_id) < 2
  OR (SELECT SUM(amount_cents) FROM posting WHERE entry_id = NEW.entry_id) != 0
BEGIN
    SELECT RAISE(ABORT, 'journal entry does not balance');
END;

CREATE TRIGGER posting_into_sealed_entry BEFORE INSERT ON posting
WHEN EXISTS (SELECT 1 FROM journal_entry WHERE entry_id = NEW.entry_id)
BEGIN
    SELECT RAISE(ABORT, 'journal entry is sealed');
END;

CREATE TRIGGER posting_is_append_only_update BEFORE UPDATE ON posting
BEGIN
    SELECT RAISE(ABORT, 'postings are append-only');
END;

CREATE TRIGGER posting_is_append_only_delete BEFORE DELETE ON posting
BEGIN
    SELECT RAISE(ABORT, 'postings are append-only');
END;

CREATE TRIGGER journal_entry_is_append_only_update BEFORE UPDATE ON journal_entry
BEGIN
    SELECT RAISE(ABORT, 'journal entries are append-only');
END;

CREATE TRIGGER journal_entry_is_append_only_delete BEFORE DELETE ON journal_entry
BEGIN
    SELECT RAISE(ABORT, 'journal entries are append-only');
END;

CREATE TRIGGER year_close_is_final BEFORE UPDATE ON year_close
BEGIN
    SELECT RAISE(ABORT, 'a closed year is final');
END;
