-- Schema version 12: the National Bank's side of every close made before it.
-- From this version each close posts a `target_assets` entry (domain/funding.py,
-- decision 0013); closes made earlier get theirs here, from their published figures, so
-- that reconcile's check of the Bank's side holds on old databases too.  The entry comes
-- first, then its postings; the deferred trigger checks the balance at commit.
CREATE TEMP TABLE bank_side ON COMMIT DROP AS
SELECT year,
       as_of,
       CAST(NULL AS BIGINT) AS entry_id,
       CAST(REPLACE(CAST(result_json AS json) ->> 'tr_total', '.', '') AS BIGINT) AS accrued,
       CAST(REPLACE(CAST(result_json AS json) ->> 'investment_income', '.', '') AS BIGINT)
           AS investment_income,
       CAST(REPLACE(CAST(result_json AS json) ->> 'target_savings_credited', '.', '') AS BIGINT)
           AS transferred,
       CAST(REPLACE(CAST(result_json AS json) ->> 'residue', '.', '') AS BIGINT) AS residue
FROM year_close
WHERE NOT EXISTS (
    SELECT 1 FROM journal_entry WHERE key = 'close:' || year_close.year || ':target_assets'
);

-- Numbered one year after another, from the journal's own sequence.
DO $$
DECLARE
    closed INTEGER;
BEGIN
    FOR closed IN SELECT year FROM bank_side ORDER BY year LOOP
        UPDATE bank_side SET entry_id = nextval('journal_entry_number') WHERE year = closed;
    END LOOP;
END $$;

INSERT INTO journal_entry (entry_id, key, content_hash, kind, reporting_year, corrects,
                           posted_on)
SELECT entry_id, 'close:' || year || ':target_assets', 'schema version 12', 'target_assets',
       year, NULL, as_of
FROM bank_side
ORDER BY entry_id;

INSERT INTO posting (entry_id, account, person_id, amount_cents)
SELECT entry_id, account, NULL, amount FROM (
    SELECT entry_id, 'national_bank:accrued' AS account, -accrued AS amount FROM bank_side
    UNION ALL
    SELECT entry_id, 'national_bank:investment_income', -investment_income FROM bank_side
    UNION ALL
    SELECT entry_id, 'national_bank:residue', residue FROM bank_side
    UNION ALL
    SELECT entry_id, 'national_bank:target_assets',
           accrued + investment_income - transferred - residue FROM bank_side
    UNION ALL
    SELECT entry_id, 'national_bank:transferred_to_savings', transferred FROM bank_side
) AS moved
WHERE amount <> 0
ORDER BY entry_id, account;
