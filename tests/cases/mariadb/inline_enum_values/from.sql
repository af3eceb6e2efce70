CREATE TABLE items (id INT PRIMARY KEY, label VARCHAR(50) NOT NULL, state ENUM('new','paid'));
