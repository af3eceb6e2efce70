CREATE TABLE parents (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);
CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER, CONSTRAINT fk_children_parent FOREIGN KEY (parent_id) REFERENCES parents (id));
