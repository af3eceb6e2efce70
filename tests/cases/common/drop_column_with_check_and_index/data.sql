INSERT INTO items (id, qty) VALUES (1, 3);
