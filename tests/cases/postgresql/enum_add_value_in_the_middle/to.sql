CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL, m mood);
