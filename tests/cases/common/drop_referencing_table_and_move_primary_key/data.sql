INSERT INTO users (id, email) VALUES (1, 'a@example.com');
INSERT INTO taggings (user_id, tag) VALUES (1, 'new');
