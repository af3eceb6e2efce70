INSERT INTO children (id) VALUES (1);
