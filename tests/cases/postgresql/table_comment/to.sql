CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
COMMENT ON TABLE items IS 'things we sell';
