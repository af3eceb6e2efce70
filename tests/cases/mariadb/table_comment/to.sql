CREATE TABLE items (id INT PRIMARY KEY, label VARCHAR(50) NOT NULL) COMMENT='things we sell';
