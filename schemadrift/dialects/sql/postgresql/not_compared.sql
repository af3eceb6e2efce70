-- Objects the IR does not model, so that a report can say what was not compared:
-- (kind, schema, name, table) where table is set for objects that belong to one.
WITH ns AS (
    SELECT oid, nspname FROM pg_catalog.pg_namespace
    WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
      AND (CAST(:schemas AS text[]) IS NULL OR nspname = ANY (CAST(:schemas AS text[])))
), ext AS (
    SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'
)
SELECT kind, schema, name, table_name FROM (
    SELECT CASE WHEN c.relkind = 'v' THEN 'view' WHEN c.relkind = 'm' THEN 'materialized view'
                WHEN c.relkind = 'f' THEN 'foreign table' WHEN c.relkind = 'S' THEN 'sequence'
                ELSE 'partition' END AS kind,
           ns.nspname AS schema, c.relname::text AS name, NULL::text AS table_name
    FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
    WHERE (c.relkind IN ('v', 'm', 'f')
           OR (c.relkind IN ('r', 'p') AND c.relispartition)
           OR (c.relkind = 'S' AND NOT EXISTS (
                 SELECT 1 FROM pg_catalog.pg_depend d
                 WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                   AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i'))))
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_class'::regclass
                      AND ext.objid = c.oid)
    UNION ALL
    SELECT 'trigger', ns.nspname, tg.tgname::text, c.relname::text
    FROM pg_catalog.pg_trigger tg
    JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid JOIN ns ON ns.oid = c.relnamespace
    WHERE NOT tg.tgisinternal AND NOT c.relispartition
    UNION ALL
    SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                WHEN 'w' THEN 'window function' ELSE 'function' END,
           ns.nspname, p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
           NULL
    FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_proc'::regclass
                      AND ext.objid = p.oid)
    UNION ALL
    SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type' ELSE 'composite type' END,
           ns.nspname, t.typname::text, NULL
    FROM pg_catalog.pg_type t JOIN ns ON ns.oid = t.typnamespace
    LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
    WHERE (t.typtype IN ('d', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_type'::regclass
                      AND ext.objid = t.oid)
    UNION ALL
    SELECT 'policy', ns.nspname, pol.polname::text, c.relname::text
    FROM pg_catalog.pg_policy pol
    JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid JOIN ns ON ns.oid = c.relnamespace
    UNION ALL
    SELECT 'rule', ns.nspname, ru.rulename::text, c.relname::text
    FROM pg_catalog.pg_rewrite ru
    JOIN pg_catalog.pg_class c ON c.oid = ru.ev_class JOIN ns ON ns.oid = c.relnamespace
    WHERE ru.rulename <> '_RETURN'
    UNION ALL
    SELECT 'extension', NULL, e.extname::text, NULL
    FROM pg_catalog.pg_extension e
    WHERE e.extname <> 'plpgsql'
) o
ORDER BY 1, 2, 4, 3
