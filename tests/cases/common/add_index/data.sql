INSERT INTO items (id, a, b) VALUES (1, 'x', 1);
