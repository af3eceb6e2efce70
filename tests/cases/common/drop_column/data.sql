INSERT INTO items (id, label, note) VALUES (1, 'one', 'n');
