INSERT INTO parents (id, name) VALUES (1, 'a');
INSERT INTO children (id, parent_id) VALUES (1, 1);
