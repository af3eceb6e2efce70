INSERT INTO items (code, label) VALUES ('a', 'x');
