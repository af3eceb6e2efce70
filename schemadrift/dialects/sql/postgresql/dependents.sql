-- Objects the IR does not model that stop a modelled table, column or enum type from being
-- dropped or retyped (pg_depend, deptype 'n'): views and materialized views, rules, policies,
-- triggers, SQL-standard function bodies, and a partition's own constraints (a foreign key). Run as "WITH rel AS (<relations.sql>), <this>".
-- (kind, schema, name, column_name, object, on_self): kind 'table', 'enum' or 'index' (a
-- dependency), 'relation' (a name taken) or 'needs'; column_name is '' for the whole object;
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
                WHEN d.classid = 'pg_catalog.pg_constraint'::regclass THEN con.conrelid
           END AS owner
    FROM pg_catalog.pg_depend d
    LEFT JOIN pg_catalog.pg_constraint con ON d.classid = 'pg_catalog.pg_constraint'::regclass
                                          AND con.oid = d.objid
    WHERE d.deptype = 'n'
      AND d.classid IN ('pg_catalog.pg_rewrite'::regclass, 'pg_catalog.pg_policy'::regclass,
                        'pg_catalog.pg_trigger'::regclass, 'pg_catalog.pg_proc'::regclass,
                        'pg_catalog.pg_constraint'::regclass)
      AND d.refclassid IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_type'::regclass)
      -- a constraint of a partition that is its own (not one cloned from the modelled parent)
      AND (con.oid IS NULL OR (con.conparentid = 0
                               AND NOT EXISTS (SELECT 1 FROM rel WHERE rel.oid = con.conrelid)))
)
-- (what uses a partition is in the way of its modelled root table: it goes with the root)
SELECT DISTINCT 'table' AS kind, rel.schema, rel.name, COALESCE(a.attname::text, '') AS column_name,
       dep.object, COALESCE(pg_catalog.pg_partition_root(dep.owner), dep.owner) IS NOT DISTINCT FROM rel.oid
                   AS on_self
FROM dep
JOIN rel ON dep.refclassid = 'pg_catalog.pg_class'::regclass
        AND rel.oid = COALESCE(pg_catalog.pg_partition_root(dep.refobjid), dep.refobjid)
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
                                    AND dep.refobjsubid > 0
WHERE COALESCE(pg_catalog.pg_partition_root(dep.owner), dep.owner) IS DISTINCT FROM rel.oid
   OR dep.refobjsubid > 0
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
  -- two equality tests, not one OR: each becomes a hash anti join (the OR scanned rel per row)
  AND NOT EXISTS (SELECT 1 FROM rel WHERE rel.oid = c.oid)
  AND NOT EXISTS (SELECT 1 FROM rel WHERE rel.oid = x.indrelid)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e') AND c.relkind = 'S')
UNION
-- a partition's constraint (not modelled) backed by an index attached to a modelled index: the
-- modelled index cannot be dropped before the constraint
SELECT 'index', rel.schema, rel.name, pi.relname::text,
       'constraint ' || con.conname || ' on ' || pn.nspname || '.' || pc.relname, false
FROM rel
JOIN pg_catalog.pg_index x ON x.indrelid = rel.oid
JOIN pg_catalog.pg_class pi ON pi.oid = x.indexrelid
JOIN pg_catalog.pg_inherits inh ON inh.inhparent = pi.oid
JOIN pg_catalog.pg_constraint con ON con.conindid = inh.inhrelid AND con.contype IN ('p', 'u', 'x')
JOIN pg_catalog.pg_class pc ON pc.oid = con.conrelid
JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint own WHERE own.conindid = pi.oid)
UNION
-- the other way round: what a modelled column (type, default, generated expression), CHECK or
-- index needs that the IR does not model (a function, a domain or composite type, an operator
-- class or collation — or the extension that brought it), named as not_compared.sql names it
-- ('needs', schema, table, column_name, '<kind>\t<schema>\t<name>', false)
SELECT 'needs', rel.schema, rel.name, COALESCE(a.attname::text, ''),
       CASE WHEN ext.extname IS NOT NULL THEN 'extension' || E'\t' || '' || E'\t' || ext.extname
            WHEN d.refclassid = 'pg_catalog.pg_proc'::regclass THEN
                (SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                            WHEN 'w' THEN 'window function' ELSE 'function' END || E'\t' || pn.nspname
                        || E'\t' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
                 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
                 WHERE p.oid = d.refobjid)
            WHEN d.refclassid = 'pg_catalog.pg_type'::regclass THEN
                (SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type' ELSE 'composite type' END
                        || E'\t' || tn.nspname || E'\t' || t.typname
                 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
                 WHERE t.oid = d.refobjid)
            ELSE 'object' || E'\t' || '' || E'\t' || pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0) END,
       false
FROM pg_catalog.pg_depend d
LEFT JOIN pg_catalog.pg_attrdef ad ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND ad.oid = d.objid
LEFT JOIN pg_catalog.pg_constraint con ON d.classid = 'pg_catalog.pg_constraint'::regclass AND con.oid = d.objid
LEFT JOIN pg_catalog.pg_index x ON d.classid = 'pg_catalog.pg_class'::regclass AND x.indexrelid = d.objid
JOIN rel ON rel.oid = COALESCE(ad.adrelid, con.conrelid, x.indrelid,
                               CASE WHEN d.classid = 'pg_catalog.pg_class'::regclass AND d.objsubid > 0
                                    THEN d.objid END)
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid AND a.attnum = COALESCE(ad.adnum,
                                     CASE WHEN x.indexrelid IS NULL THEN NULLIF(d.objsubid, 0) END)
LEFT JOIN pg_catalog.pg_depend e ON e.classid = d.refclassid AND e.objid = d.refobjid AND e.deptype = 'e'
LEFT JOIN pg_catalog.pg_extension ext ON ext.oid = e.refobjid
WHERE d.deptype = 'n' AND d.refobjid >= 16384
  AND d.refclassid IN ('pg_catalog.pg_proc'::regclass, 'pg_catalog.pg_type'::regclass,
                       'pg_catalog.pg_opclass'::regclass, 'pg_catalog.pg_collation'::regclass,
                       'pg_catalog.pg_operator'::regclass)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE d.refclassid = 'pg_catalog.pg_type'::regclass
                  AND t.oid = d.refobjid AND (t.typtype = 'e' OR t.typrelid IN (SELECT oid FROM rel)))
ORDER BY 1, 2, 3, 4, 5
