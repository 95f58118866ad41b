-- Journal entries are numbered from a sequence, so that payouts of different people,
-- which no longer take the writers' lock, can write at the same time.
CREATE SEQUENCE journal_entry_number;
SELECT setval('journal_entry_number', COALESCE((SELECT MAX(entry_id) FROM journal_entry), 0) + 1, false);
