INSERT INTO items (code, rev) VALUES ('a', 1), ('b', 1);
