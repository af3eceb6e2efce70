INSERT INTO items (id, label, v) VALUES (1, 'one', 'x');
