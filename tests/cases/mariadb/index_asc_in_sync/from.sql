CREATE TABLE items (id INT PRIMARY KEY, v INT);
CREATE INDEX ix_v ON items (v);
