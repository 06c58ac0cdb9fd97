-- SQLite built-ins the repositories use, as PostgreSQL functions (see src/storage/dialect.ts). Re-run at every open.
CREATE OR REPLACE FUNCTION julianday(t text) RETURNS double precision LANGUAGE sql STABLE
  AS $$ SELECT extract(epoch FROM t::timestamptz) / 86400.0 + 2440587.5 $$;
-- json_extract(doc, '$.a.b') for plain dotted paths.
CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT (doc::jsonb) #>> string_to_array(substr(path, 3), '.') $$;
CREATE OR REPLACE FUNCTION json_each(doc text) RETURNS TABLE (value text) LANGUAGE sql IMMUTABLE
  AS $$ SELECT json_array_elements_text(doc::json) $$;
-- SUM(boolean expression), which SQLite counts as 0/1; NULL for no rows, as in SQLite.
CREATE OR REPLACE FUNCTION sqlite_bool_sum(acc bigint, b boolean) RETURNS bigint LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE WHEN b IS NULL THEN acc ELSE COALESCE(acc, 0) + CASE WHEN b THEN 1 ELSE 0 END END $$;
DO $$ BEGIN
  CREATE AGGREGATE sum(boolean) (SFUNC = sqlite_bool_sum, STYPE = bigint);
EXCEPTION WHEN duplicate_function THEN NULL;
END $$;
