CREATE TABLE items (id INTEGER PRIMARY KEY, email TEXT NOT NULL, deleted_at TEXT, n INTEGER);
CREATE INDEX ix_live ON items (email) WHERE deleted_at IS NULL AND n > 0;
