INSERT INTO items (id, label, qty) VALUES (1, 'one', 4), (2, 'two', 7);
