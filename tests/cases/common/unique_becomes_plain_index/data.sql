INSERT INTO items (id, code) VALUES (1, 'a');
