CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL, note TEXT);
COMMENT ON COLUMN items.note IS 'new ''quoted'' text';
