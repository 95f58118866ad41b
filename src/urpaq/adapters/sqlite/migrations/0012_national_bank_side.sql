-- Schema version 12: the National Bank's side of every close made before it.
-- From this version each close posts a `target_assets` entry (domain/funding.py,
-- decision 0013); closes made earlier get theirs here, from their published figures, so
-- that reconcile's check of the Bank's side holds on old databases too.  Postings come
-- first, then the entry that seals them (the trigger journal_entry_balances).
CREATE TEMP TABLE bank_side AS
SELECT year,
       as_of,
       (SELECT COALESCE(MAX(entry_id), 0) FROM journal_entry)
           + ROW_NUMBER() OVER (ORDER BY year) AS entry_id,
       CAST(REPLACE(json_extract(result_json, '$.tr_total'), '.', '') AS INTEGER) AS accrued,
       CAST(REPLACE(json_extract(result_json, '$.investment_income'), '.', '') AS INTEGER)
           AS investment_income,
       CAST(REPLACE(json_extract(result_json, '$.target_savings_credited'), '.', '') AS INTEGER)
           AS transferred,
       CAST(REPLACE(json_extract(result_json, '$.residue'), '.', '') AS INTEGER) AS residue
FROM year_close
WHERE NOT EXISTS (
    SELECT 1 FROM journal_entry WHERE key = 'close:' || year_close.year || ':target_assets'
);

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

INSERT INTO journal_entry (entry_id, key, content_hash, kind, reporting_year, corrects,
                           posted_on)
SELECT entry_id, 'close:' || year || ':target_assets', 'schema version 12', 'target_assets',
       year, NULL, as_of
FROM bank_side
ORDER BY entry_id;

DROP TABLE bank_side;
