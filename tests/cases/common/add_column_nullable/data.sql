INSERT INTO items (id, label) VALUES (1, 'one'), (2, 'two');
