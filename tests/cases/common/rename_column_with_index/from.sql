CREATE TABLE items (id INTEGER PRIMARY KEY, note VARCHAR(50));
CREATE INDEX ix_items_note ON items (note);
