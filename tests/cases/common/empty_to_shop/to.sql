CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email VARCHAR(120) NOT NULL,
  name VARCHAR(80) NOT NULL DEFAULT 'anonymous',
  active BOOLEAN NOT NULL DEFAULT TRUE,
  born DATE,
  CONSTRAINT uq_customers_email UNIQUE (email)
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  total NUMERIC(12,2) NOT NULL DEFAULT 0,
  note VARCHAR(500),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,
  CONSTRAINT ck_orders_total CHECK (total >= 0)
);
CREATE INDEX ix_orders_customer ON orders (customer_id, id);
CREATE TABLE order_lines (
  order_id INTEGER NOT NULL,
  line_no SMALLINT NOT NULL,
  qty INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (order_id, line_no),
  CONSTRAINT fk_lines_order FOREIGN KEY (order_id) REFERENCES orders (id)
);
