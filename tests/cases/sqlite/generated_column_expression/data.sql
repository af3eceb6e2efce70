INSERT INTO lines (id, qty) VALUES (1, 2);
