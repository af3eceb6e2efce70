CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL, m mood);
