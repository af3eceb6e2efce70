CREATE TABLE items (id INTEGER PRIMARY KEY, email TEXT NOT NULL, deleted_at TIMESTAMP, n INTEGER, m INTEGER);
CREATE UNIQUE INDEX ux_email_lower ON items (lower(email));
