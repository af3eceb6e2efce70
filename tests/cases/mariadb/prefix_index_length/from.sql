CREATE TABLE items (id INT PRIMARY KEY, label VARCHAR(50) NOT NULL, body VARCHAR(200));
CREATE INDEX ix_body ON items (body(10));
