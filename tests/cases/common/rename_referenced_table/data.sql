INSERT INTO clients (id, name) VALUES (1, 'a'), (2, 'b');
INSERT INTO orders (id, client_id) VALUES (1, 1), (2, 1), (3, 2);
