-- Schema version 17 (PostgreSQL): what the server changes in place moves only forward,
-- in the database as in the application.  A payout is confirmed or returned once, and
-- its terms never change; an heir's payout is returned once; a revoked operator stays
-- revoked, with the name, credential and purposes it had; a closed year's inputs stay
-- those it was closed with; a person keeps their number.  None is ever deleted.  The
-- application already refused each of these; the server's role holds the column grants
-- that would allow them (docs/operations.md), and now meets these triggers, which bind
-- every role but the tables' owner (who can disable them, as a superuser can).

CREATE FUNCTION payout_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'paid'
       OR NEW.status NOT IN ('confirmed', 'returned')
       OR (NEW.payout_id, NEW.person_id, NEW.operator_name, NEW.amount_cents, NEW.purpose,
           NEW.sub_purpose, NEW.account, NEW.requested_on, NEW.return_due_on)
          IS DISTINCT FROM
          (OLD.payout_id, OLD.person_id, OLD.operator_name, OLD.amount_cents, OLD.purpose,
           OLD.sub_purpose, OLD.account, OLD.requested_on, OLD.return_due_on)
    THEN
        RAISE EXCEPTION 'a payout is confirmed or returned once, and its terms are final';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER payout_is_final BEFORE UPDATE ON payout
FOR EACH ROW EXECUTE FUNCTION payout_is_final();
CREATE TRIGGER payout_is_kept BEFORE DELETE ON payout
FOR EACH ROW EXECUTE FUNCTION refuse_change('payouts are kept');
CREATE TRIGGER payout_is_kept_truncate BEFORE TRUNCATE ON payout
FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('payouts are kept');

CREATE FUNCTION heir_payout_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'paid_to_heir'
       OR NEW.status <> 'returned'
       OR (NEW.payout_id, NEW.person_id, NEW.operator_name, NEW.amount_cents,
           NEW.notary_certificate, NEW.account, NEW.paid_on)
          IS DISTINCT FROM
          (OLD.payout_id, OLD.person_id, OLD.operator_name, OLD.amount_cents,
           OLD.notary_certificate, OLD.account, OLD.paid_on)
    THEN
        RAISE EXCEPTION 'an heir''s payout is returned once, and its terms are final';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER heir_payout_is_final BEFORE UPDATE ON heir_payout
FOR EACH ROW EXECUTE FUNCTION heir_payout_is_final();
CREATE TRIGGER heir_payout_is_kept BEFORE DELETE ON heir_payout
FOR EACH ROW EXECUTE FUNCTION refuse_change('heirs'' payouts are kept');
CREATE TRIGGER heir_payout_is_kept_truncate BEFORE TRUNCATE ON heir_payout
FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('heirs'' payouts are kept');

CREATE FUNCTION authorised_operator_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked_on IS NOT NULL
       OR (NEW.operator_id, NEW.name, NEW.registered_on)
          IS DISTINCT FROM (OLD.operator_id, OLD.name, OLD.registered_on)
    THEN
        RAISE EXCEPTION 'a revoked operator stays revoked, and an operator''s name is final';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER authorised_operator_is_final BEFORE UPDATE ON authorised_operator
FOR EACH ROW EXECUTE FUNCTION authorised_operator_is_final();
CREATE TRIGGER authorised_operator_is_kept BEFORE DELETE ON authorised_operator
FOR EACH ROW EXECUTE FUNCTION refuse_change('operators are kept');
CREATE TRIGGER authorised_operator_is_kept_truncate BEFORE TRUNCATE ON authorised_operator
FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('operators are kept');

CREATE FUNCTION year_parameters_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.year IS DISTINCT FROM OLD.year
       OR EXISTS (SELECT 1 FROM year_close WHERE year_close.year = OLD.year)
    THEN
        RAISE EXCEPTION 'a closed year''s inputs are final';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER year_parameters_is_final BEFORE UPDATE ON year_parameters
FOR EACH ROW EXECUTE FUNCTION year_parameters_is_final();
CREATE TRIGGER year_parameters_is_kept BEFORE DELETE ON year_parameters
FOR EACH ROW EXECUTE FUNCTION refuse_change('a year''s inputs are kept');
CREATE TRIGGER year_parameters_is_kept_truncate BEFORE TRUNCATE ON year_parameters
FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('a year''s inputs are kept');

CREATE TRIGGER person_number_is_final BEFORE UPDATE OF person_id ON person
FOR EACH ROW WHEN (NEW.person_id IS DISTINCT FROM OLD.person_id)
EXECUTE FUNCTION refuse_change('a person keeps their number');
CREATE TRIGGER person_is_kept BEFORE DELETE ON person
FOR EACH ROW EXECUTE FUNCTION refuse_change('people are kept');
CREATE TRIGGER person_is_kept_truncate BEFORE TRUNCATE ON person
FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('people are kept');
