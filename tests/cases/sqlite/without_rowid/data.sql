INSERT INTO kv (k, v) VALUES ('a', 'b');
