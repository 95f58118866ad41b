-- Schema version 18 (SQLite): a notary's certificate number is compared without
-- the spaces inside it too (`N - 1` is `N-1`, `2025 / 118` is `2025/118`), as it was
-- without those around it: an heir was paid a share on `N-1` and again on `N - 1`, taken
-- for two certificates.  The numbers recorded are written as they are now compared.  Two
-- recorded numbers that differ only in their spaces are one certificate recorded twice:
-- this upgrade then stops on the key of `notary_certificate`, changing nothing, for the
-- operator to see which of the two the heirs were paid on.
UPDATE notary_certificate SET number = REPLACE(number, ' ', '') WHERE number LIKE '% %';
