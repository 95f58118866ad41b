-- Schema version 13 (SQLite): the National Bank's inputs entered in the back office by one
-- staff member and approved by another (four eyes).
-- A proposal awaits a decision until another staff member approves it (its values become
-- the year's parameters, in year_parameters, in the same transaction) or rejects it, or
-- newer inputs for the year supersede it.  At most one proposal of a year awaits at a
-- time, and a close refuses a year while one does.  Proposals are kept: a decided one is
-- final, none is removed, and the values entered never change.

CREATE TABLE parameter_proposal (
    proposal_id    INTEGER PRIMARY KEY,
    year           INTEGER NOT NULL,
    tr_total_cents INTEGER NOT NULL CHECK (tr_total_cents > 0),
    ii_rate        TEXT NOT NULL,
    reference      TEXT NOT NULL,
    entered_by     TEXT NOT NULL,
    entered_at     TEXT NOT NULL,
    decision       TEXT CHECK (decision IN ('approved', 'rejected', 'superseded')),
    decided_by     TEXT,
    decided_at     TEXT,
    CHECK ((decision IS NULL) = (decided_by IS NULL)),
    CHECK ((decision IS NULL) = (decided_at IS NULL))
);

CREATE UNIQUE INDEX parameter_proposal_awaiting ON parameter_proposal (year)
    WHERE decision IS NULL;
CREATE INDEX parameter_proposal_year ON parameter_proposal (year, proposal_id);

CREATE TRIGGER parameter_proposal_is_final BEFORE UPDATE ON parameter_proposal
WHEN OLD.decision IS NOT NULL
    OR NEW.proposal_id IS NOT OLD.proposal_id
    OR NEW.year IS NOT OLD.year
    OR NEW.tr_total_cents IS NOT OLD.tr_total_cents
    OR NEW.ii_rate IS NOT OLD.ii_rate
    OR NEW.reference IS NOT OLD.reference
    OR NEW.entered_by IS NOT OLD.entered_by
    OR NEW.entered_at IS NOT OLD.entered_at
BEGIN
    SELECT RAISE(ABORT, 'a proposal''s values are final, and so is its decision');
END;

CREATE TRIGGER parameter_proposal_is_kept BEFORE DELETE ON parameter_proposal
BEGIN
    SELECT RAISE(ABORT, 'proposals are kept');
END;
