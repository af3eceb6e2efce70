INSERT INTO parents (id, name) VALUES (1, 'p');
INSERT INTO children (id, parent_id) VALUES (1, 1), (2, NULL);
