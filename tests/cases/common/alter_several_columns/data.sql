INSERT INTO items (id, a, b, c) VALUES (1, 'a', 2, 'c');
