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
-- date(t, modifiers...) for the modifiers the reports use: 'weekday N' (forward to that weekday, 0 = Sunday),
-- '+N days' / '-N days', 'start of month'. Returns YYYY-MM-DD like SQLite.
CREATE OR REPLACE FUNCTION date(t text, VARIADIC mods text[] DEFAULT '{}') RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  d date := substr(t, 1, 10)::date;
  m text;
BEGIN
  FOREACH m IN ARRAY mods LOOP
    IF m ~ '^weekday [0-6]$' THEN
      d := d + ((substr(m, 9)::int - extract(dow FROM d)::int + 7) % 7);
    ELSIF m ~ '^[+-]?[0-9]+ days?$' THEN
      d := d + split_part(m, ' ', 1)::int;
    ELSIF m = 'start of month' THEN
      d := date_trunc('month', d)::date;
    ELSE
      RAISE EXCEPTION 'date(): unsupported modifier %', m;
    END IF;
  END LOOP;
  RETURN to_char(d, 'YYYY-MM-DD');
END $$;
