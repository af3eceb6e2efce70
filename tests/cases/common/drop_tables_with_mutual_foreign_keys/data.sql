INSERT INTO authors (id) VALUES (1);
INSERT INTO books (id, author_id) VALUES (1, 1);
UPDATE authors SET favourite_book_id = 1;
INSERT INTO keep (id) VALUES (1);
