INSERT INTO customers (id, email) VALUES (1, 'a@x');
INSERT INTO orders (id, customer_id, total) VALUES (1, 1, 5);
INSERT INTO order_lines (order_id, line_no, qty) VALUES (1, 1, 2);
