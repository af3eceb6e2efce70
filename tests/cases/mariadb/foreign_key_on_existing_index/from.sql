CREATE TABLE parents (id INT PRIMARY KEY);
CREATE TABLE kids (id INT PRIMARY KEY, parent_id INT, KEY ix_parent (parent_id));
