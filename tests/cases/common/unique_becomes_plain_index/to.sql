CREATE TABLE items (id INTEGER PRIMARY KEY, code VARCHAR(20));
CREATE INDEX uq_items_code ON items (code);
