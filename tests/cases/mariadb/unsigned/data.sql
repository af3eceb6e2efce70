INSERT INTO items (id, label, qty) VALUES (1, 'a', 3);
