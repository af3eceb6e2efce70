-- Objects the IR does not model that stop a modelled table, column or enum type from being
-- dropped or retyped (pg_depend, deptype 'n'): views and materialized views, rules, policies,
-- triggers and SQL-standard function bodies. Run as "WITH rel AS (<relations.sql>), <this>".
-- (kind, schema, name, column_name, object, on_self): kind 'table' or 'enum' (a dependency),
-- or 'relation' (a name taken); column_name is '' for the whole object;
-- on_self says the dependent object belongs to that same table (it goes when the table goes).
dep AS (
    SELECT d.classid, d.objid, d.refclassid, d.refobjid, d.refobjsubid,
           CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::regclass THEN
                    (SELECT CASE WHEN r.rulename = '_RETURN' THEN
                                CASE v.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END
                                || vn.nspname || '.' || v.relname
                            ELSE 'rule ' || r.rulename || ' on ' || vn.nspname || '.' || v.relname END
                     FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class v ON v.oid = r.ev_class
                     JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace WHERE r.oid = d.objid)
                ELSE pg_catalog.pg_describe_object(d.classid, d.objid, 0) END AS object,
           CASE WHEN d.classid = 'pg_catalog.pg_rewrite'::regclass THEN
                    (SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid = d.objid)
                WHEN d.classid = 'pg_catalog.pg_policy'::regclass THEN
                    (SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid = d.objid)
                WHEN d.classid = 'pg_catalog.pg_trigger'::regclass THEN
                    (SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid = d.objid)
           END AS owner
    FROM pg_catalog.pg_depend d
    WHERE d.deptype = 'n'
      AND d.classid IN ('pg_catalog.pg_rewrite'::regclass, 'pg_catalog.pg_policy'::regclass,
                        'pg_catalog.pg_trigger'::regclass, 'pg_catalog.pg_proc'::regclass)
      AND d.refclassid IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_type'::regclass)
)
SELECT DISTINCT 'table' AS kind, rel.schema, rel.name, COALESCE(a.attname::text, '') AS column_name,
       dep.object, dep.owner IS NOT DISTINCT FROM rel.oid AS on_self
FROM dep
JOIN rel ON dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.refobjid = rel.oid
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attnum = dep.refobjsubid
                                    AND dep.refobjsubid > 0
WHERE dep.owner IS DISTINCT FROM rel.oid OR dep.refobjsubid > 0
UNION
SELECT 'enum', n.nspname, t.typname::text, '', dep.object, false
FROM dep
JOIN pg_catalog.pg_type t ON dep.refclassid = 'pg_catalog.pg_type'::regclass AND dep.refobjid = t.oid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND (CAST(:schemas AS text[]) IS NULL OR n.nspname = ANY (CAST(:schemas AS text[])))
UNION
-- relations the IR does not model (views, sequences, partitions and their indexes…) hold their
-- name in the schema's one namespace of relations: a new table or index cannot take it
SELECT 'relation', n.nspname, c.relname::text, '', pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, c.oid, 0), false
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_index x ON x.indexrelid = c.oid
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND (CAST(:schemas AS text[]) IS NULL OR n.nspname = ANY (CAST(:schemas AS text[])))
  AND c.relkind NOT IN ('t', 'c')
  AND NOT EXISTS (SELECT 1 FROM rel WHERE rel.oid = c.oid OR rel.oid = x.indrelid)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e') AND c.relkind = 'S')
ORDER BY 1, 2, 3, 4, 5
