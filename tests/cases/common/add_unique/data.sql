INSERT INTO accounts (id, email, tenant) VALUES (1, 'a@x', 1), (2, 'b@x', 1);
