INSERT INTO items (id, note) VALUES (1, 'a'), (2, 'b');
