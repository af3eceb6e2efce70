CREATE TABLE items (id INTEGER PRIMARY KEY, email TEXT, price NUMERIC(10,2), deleted_at TIMESTAMP,
  CONSTRAINT ck_price CHECK ((price > (0)::numeric)));
CREATE INDEX ix_email ON items (LOWER( email )) where (deleted_at is null);
