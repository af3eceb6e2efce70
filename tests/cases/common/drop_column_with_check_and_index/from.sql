CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER, CONSTRAINT ck_items_qty CHECK (qty > 0));
CREATE INDEX ix_items_qty ON items (qty);
