-- The user's triggers (not the plan's own sd_sync_/sd_tsync_ ones), in the order the server fires
-- those of one table, timing and event (ACTION_ORDER): their parts, to build the CREATE TRIGGER.
SELECT TRIGGER_SCHEMA AS table_schema, EVENT_OBJECT_TABLE AS table_name, TRIGGER_NAME AS name,
       ACTION_TIMING AS timing, EVENT_MANIPULATION AS event, ACTION_STATEMENT AS body
FROM information_schema.TRIGGERS
WHERE TRIGGER_SCHEMA IN :schemas AND ACTION_ORIENTATION = 'ROW'
  AND LEFT(TRIGGER_NAME, 8) <> 'sd_sync_' AND LEFT(TRIGGER_NAME, 9) <> 'sd_tsync_'
ORDER BY TRIGGER_SCHEMA, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER
