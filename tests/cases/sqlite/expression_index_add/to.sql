CREATE TABLE items (id INTEGER PRIMARY KEY, email TEXT NOT NULL, deleted_at TEXT, n INTEGER);
CREATE INDEX ix_lower ON items (lower(email));
