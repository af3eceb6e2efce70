INSERT INTO customers (id, email) VALUES (1, 'a@x');
