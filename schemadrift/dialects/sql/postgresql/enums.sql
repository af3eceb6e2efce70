-- Enum types with their labels in order (extension members left out).
SELECT n.nspname AS schema, t.typname AS name,
       ARRAY(SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid
             ORDER BY e.enumsortorder) AS labels
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e'
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND (CAST(:schemas AS text[]) IS NULL OR n.nspname = ANY (CAST(:schemas AS text[])))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid
                    AND d.deptype = 'e')
ORDER BY 1, 2
