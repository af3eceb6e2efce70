CREATE TABLE items (id INTEGER PRIMARY KEY, email TEXT NOT NULL, deleted_at TIMESTAMP, n INTEGER, m INTEGER);
CREATE INDEX ix_email ON items (email);
