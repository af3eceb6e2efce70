INSERT INTO kids (id, parent_id) VALUES (1, NULL);
