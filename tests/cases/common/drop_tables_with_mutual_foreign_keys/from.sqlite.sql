CREATE TABLE keep (id INTEGER PRIMARY KEY);

CREATE TABLE authors (id INTEGER PRIMARY KEY, favourite_book_id INTEGER,
  CONSTRAINT fk_authors_book FOREIGN KEY (favourite_book_id) REFERENCES books (id));
CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER,
  CONSTRAINT fk_books_author FOREIGN KEY (author_id) REFERENCES authors (id));
