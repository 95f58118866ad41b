-- Schema version 17 (SQLite): what the server changes in place moves only forward, in
-- the database as in the application.  A payout is confirmed or returned once, and its
-- terms never change; an heir's payout is returned once; a revoked operator stays
-- revoked, with the name, credential and purposes it had; a closed year's inputs stay
-- those it was closed with; a person keeps their number.  None is ever deleted.  The
-- application already refused each of these; on PostgreSQL the server's role holds the
-- column grants that would allow them (docs/operations.md), and now meets these too.

CREATE TRIGGER payout_is_final BEFORE UPDATE ON payout
WHEN OLD.status <> 'paid'
    OR NEW.status NOT IN ('confirmed', 'returned')
    OR NEW.payout_id IS NOT OLD.payout_id
    OR NEW.person_id IS NOT OLD.person_id
    OR NEW.operator_name IS NOT OLD.operator_name
    OR NEW.amount_cents IS NOT OLD.amount_cents
    OR NEW.purpose IS NOT OLD.purpose
    OR NEW.sub_purpose IS NOT OLD.sub_purpose
    OR NEW.account IS NOT OLD.account
    OR NEW.requested_on IS NOT OLD.requested_on
    OR NEW.return_due_on IS NOT OLD.return_due_on
BEGIN
    SELECT RAISE(ABORT, 'a payout is confirmed or returned once, and its terms are final');
END;

CREATE TRIGGER payout_is_kept BEFORE DELETE ON payout
BEGIN
    SELECT RAISE(ABORT, 'payouts are kept');
END;

CREATE TRIGGER heir_payout_is_final BEFORE UPDATE ON heir_payout
WHEN OLD.status <> 'paid_to_heir'
    OR NEW.status <> 'returned'
    OR NEW.payout_id IS NOT OLD.payout_id
    OR NEW.person_id IS NOT OLD.person_id
    OR NEW.operator_name IS NOT OLD.operator_name
    OR NEW.amount_cents IS NOT OLD.amount_cents
    OR NEW.notary_certificate IS NOT OLD.notary_certificate
    OR NEW.account IS NOT OLD.account
    OR NEW.paid_on IS NOT OLD.paid_on
BEGIN
    SELECT RAISE(ABORT, 'an heir''s payout is returned once, and its terms are final');
END;

CREATE TRIGGER heir_payout_is_kept BEFORE DELETE ON heir_payout
BEGIN
    SELECT RAISE(ABORT, 'heirs'' payouts are kept');
END;

CREATE TRIGGER authorised_operator_is_final BEFORE UPDATE ON authorised_operator
WHEN OLD.revoked_on IS NOT NULL
    OR NEW.operator_id IS NOT OLD.operator_id
    OR NEW.name IS NOT OLD.name
    OR NEW.registered_on IS NOT OLD.registered_on
BEGIN
    SELECT RAISE(ABORT, 'a revoked operator stays revoked, and an operator''s name is final');
END;

CREATE TRIGGER authorised_operator_is_kept BEFORE DELETE ON authorised_operator
BEGIN
    SELECT RAISE(ABORT, 'operators are kept');
END;

CREATE TRIGGER year_parameters_is_final BEFORE UPDATE ON year_parameters
WHEN NEW.year IS NOT OLD.year
    OR EXISTS (SELECT 1 FROM year_close WHERE year_close.year = OLD.year)
BEGIN
    SELECT RAISE(ABORT, 'a closed year''s inputs are final');
END;

CREATE TRIGGER year_parameters_is_kept BEFORE DELETE ON year_parameters
BEGIN
    SELECT RAISE(ABORT, 'a year''s inputs are kept');
END;

CREATE TRIGGER person_number_is_final BEFORE UPDATE OF person_id ON person
WHEN NEW.person_id IS NOT OLD.person_id
BEGIN
    SELECT RAISE(ABORT, 'a person keeps their number');
END;

CREATE TRIGGER person_is_kept BEFORE DELETE ON person
BEGIN
    SELECT RAISE(ABORT, 'people are kept');
END;
