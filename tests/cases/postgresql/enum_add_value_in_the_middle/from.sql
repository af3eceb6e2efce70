CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL, m mood);
