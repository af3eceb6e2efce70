INSERT INTO items (id, label, m) VALUES (1, 'a', 'ok');
