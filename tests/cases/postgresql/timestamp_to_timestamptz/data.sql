INSERT INTO items (id, label, at) VALUES (1, 'a', '2024-01-02 03:04:05');
