-- Schema version 16 (PostgreSQL): the participants of a close are counted per region as
-- the close's view saw it, no longer per the region a person has when the statistics are
-- first asked for (a move recorded after the close changed a close's published table).
-- The counts kept before are dropped; the statistics count them again when next asked.

DELETE FROM participant_count;
