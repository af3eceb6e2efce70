CREATE TABLE items (id INTEGER PRIMARY KEY, remark VARCHAR(50));
CREATE INDEX ix_items_note ON items (remark);
