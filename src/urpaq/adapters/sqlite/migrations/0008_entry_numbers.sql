-- PostgreSQL numbers journal entries from a sequence from this version on; SQLite has one
-- writer at a time and numbers them MAX + 1 under it, so its schema does not change.
SELECT 1;
