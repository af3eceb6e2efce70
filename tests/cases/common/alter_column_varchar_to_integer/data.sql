INSERT INTO items (id, v) VALUES (1, '42'), (2, NULL);
