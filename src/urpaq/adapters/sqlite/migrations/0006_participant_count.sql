-- Schema version 6 (SQLite): the participants of each close per birth year, sex and
-- region, for the public statistics.  A close's view never changes, so neither do these
-- counts: they are computed once (one pass over the register) and kept.

CREATE TABLE participant_count (
    year          INTEGER NOT NULL,
    birth_year    INTEGER NOT NULL,
    is_male       INTEGER NOT NULL CHECK (is_male IN (0, 1)),
    region        TEXT,
    participants  INTEGER NOT NULL CHECK (participants > 0)
);

CREATE INDEX participant_count_year ON participant_count (year);
