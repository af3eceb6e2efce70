INSERT INTO items (id, m) VALUES (1, 'sad'), (2, DEFAULT);
