CREATE TABLE parents (id INTEGER PRIMARY KEY);
CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER,
  CONSTRAINT fk_kids_parent FOREIGN KEY (parent_id) REFERENCES parents (id));
