INSERT INTO items (id, label, qty) VALUES (1, 'one', 5);
