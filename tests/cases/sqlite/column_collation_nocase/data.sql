INSERT INTO items (id, email) VALUES (1, 'A@x');
