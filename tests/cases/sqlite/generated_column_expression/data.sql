INSERT INTO order_lines (id, qty) VALUES (1, 2);
