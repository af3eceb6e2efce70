INSERT INTO clients (id, email, score) VALUES (1, 'a@example.org', 3), (2, 'b@example.org', NULL);
