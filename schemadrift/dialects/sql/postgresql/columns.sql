-- One row per column, in table order, with the server's own type and default text.
-- owned_default is the default a serial column would have: nextval() of the sequence the column
-- owns (pg_depend 'a'); identity columns own theirs with 'i'.
SELECT r.schema, r.name AS table_name, a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       t.typtype AS type_kind,
       a.attnotnull AS not_null,
       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) AS default_expr,
       a.attidentity AS identity,
       a.attgenerated AS generated,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation,
       dsc.description AS comment,
       'nextval(' || pg_catalog.quote_literal(seq.oid::regclass::text) || '::regclass)' AS owned_default,
       ps.seqstart AS identity_start, ps.seqincrement AS identity_increment,
       ps.seqmin AS identity_min, ps.seqmax AS identity_max, ps.seqcycle AS identity_cycle,
       ps.seqcache AS identity_cache
FROM rel r
JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_description dsc ON dsc.objoid = r.oid AND dsc.objsubid = a.attnum
     AND dsc.classoid = 'pg_catalog.pg_class'::regclass
LEFT JOIN (
    SELECT DISTINCT ON (d.refobjid, d.refobjsubid) d.refobjid, d.refobjsubid, s.oid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
      AND d.deptype IN ('a', 'i')
    ORDER BY d.refobjid, d.refobjsubid, s.oid) seq ON seq.refobjid = r.oid AND seq.refobjsubid = a.attnum
LEFT JOIN pg_catalog.pg_sequence ps ON ps.seqrelid = seq.oid AND a.attidentity <> ''
ORDER BY r.schema, r.name, a.attnum
