CREATE TABLE versions (doc INTEGER NOT NULL, rev INTEGER NOT NULL, PRIMARY KEY (doc, rev));
CREATE TABLE comments (id INTEGER PRIMARY KEY, doc INTEGER, rev INTEGER,
  CONSTRAINT fk_comments_version FOREIGN KEY (doc, rev) REFERENCES versions (doc, rev));
