CREATE TABLE s (id INTEGER PRIMARY KEY, at TEXT DEFAULT (datetime('now', 'localtime')));
