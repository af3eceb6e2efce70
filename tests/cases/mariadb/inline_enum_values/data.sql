INSERT INTO items (id, label, state) VALUES (1, 'a', 'paid');
