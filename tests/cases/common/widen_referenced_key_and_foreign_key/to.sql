CREATE TABLE parents (id BIGINT PRIMARY KEY);
CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id BIGINT,
  CONSTRAINT fk_kids_parent FOREIGN KEY (parent_id) REFERENCES parents (id));
