INSERT INTO items (id, label, v) VALUES (1, 'one', 9);
