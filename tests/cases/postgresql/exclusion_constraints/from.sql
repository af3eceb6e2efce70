CREATE TABLE bookings (id INTEGER PRIMARY KEY, room INTEGER NOT NULL, during TSTZRANGE NOT NULL, "Guest ""name""" TEXT);
ALTER TABLE bookings ADD CONSTRAINT "no ""overlap""" EXCLUDE USING gist (during WITH &&);
ALTER TABLE bookings ADD CONSTRAINT one_guest EXCLUDE USING btree ("Guest ""name""" WITH =);
CREATE TABLE slots (id INTEGER PRIMARY KEY, span INT4RANGE, kind TEXT);
ALTER TABLE slots ADD CONSTRAINT slots_gone EXCLUDE USING gist (span WITH &&);
