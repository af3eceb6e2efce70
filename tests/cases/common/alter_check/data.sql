INSERT INTO stock (id, qty) VALUES (1, 3);
