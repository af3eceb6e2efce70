INSERT INTO items (id, label) VALUES (1, 'a');
