CREATE TABLE parents (id INT PRIMARY KEY);
CREATE TABLE kids (id INT PRIMARY KEY, parent_id INT,
  CONSTRAINT fk_kids_parent FOREIGN KEY (parent_id) REFERENCES parents (id) ON DELETE RESTRICT);
