CREATE TABLE items (id INTEGER PRIMARY KEY, email TEXT, price NUMERIC(10,2), deleted_at TIMESTAMP,
  CONSTRAINT ck_price CHECK (price > 0));
CREATE INDEX ix_email ON items (lower(email)) WHERE deleted_at IS NULL;
