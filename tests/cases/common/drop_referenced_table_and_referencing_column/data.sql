INSERT INTO parents (id) VALUES (1);
INSERT INTO kids (id, parent_id) VALUES (1, 1);
