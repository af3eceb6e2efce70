-- The user's triggers on tables, one row each (not the server's internal ones, not those of a
-- partition, not the plan's own sd_sync_/sd_tsync_ ones): (schema, table_name, name, def, source)
-- where def is the CREATE TRIGGER text and source the body of the function it executes.
SELECT ns.nspname AS schema, c.relname::text AS table_name, tg.tgname::text AS name,
       pg_catalog.pg_get_triggerdef(tg.oid) AS def, p.prosrc AS source
FROM pg_catalog.pg_trigger tg
JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
JOIN pg_catalog.pg_proc p ON p.oid = tg.tgfoid
WHERE NOT tg.tgisinternal AND NOT c.relispartition AND c.relkind IN ('r', 'p')
  AND ns.nspname !~ '^pg_' AND ns.nspname <> 'information_schema'
  AND (CAST(:schemas AS text[]) IS NULL OR ns.nspname = ANY (CAST(:schemas AS text[])))
  AND substr(tg.tgname, 1, 8) <> 'sd_sync_' AND substr(tg.tgname, 1, 9) <> 'sd_tsync_'
ORDER BY 1, 2, 3
