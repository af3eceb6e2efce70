INSERT INTO nodes (id, parent_id) VALUES (1, NULL), (2, 1);
