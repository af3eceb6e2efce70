CREATE TABLE items (id INT PRIMARY KEY, qty INT, CONSTRAINT ck_qty CHECK ( qty > 0 ));
