INSERT INTO items (id, label, m) VALUES (1, 'a', 'ok'), (2, 'b', NULL);
