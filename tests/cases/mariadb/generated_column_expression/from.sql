CREATE TABLE order_lines (id INT PRIMARY KEY, qty INT NOT NULL, total INT AS (qty * 2) STORED);
