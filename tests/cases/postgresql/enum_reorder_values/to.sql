CREATE TYPE mood AS ENUM ('happy', 'ok', 'sad');
CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
