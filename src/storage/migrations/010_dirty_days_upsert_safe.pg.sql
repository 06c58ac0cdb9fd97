-- PostgreSQL variant of 010: nothing to do. 010 works around SQLite applying an UPSERT's conflict policy to
-- its triggers; the PostgreSQL triggers of 009 use ON CONFLICT DO NOTHING, which has no such interaction.
SELECT 1;
