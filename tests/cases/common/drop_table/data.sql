INSERT INTO parents (id, name) VALUES (1, 'a');
INSERT INTO tags (id, label) VALUES (1, 'x');
