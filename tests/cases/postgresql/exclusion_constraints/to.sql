CREATE TABLE bookings (id INTEGER PRIMARY KEY, room INTEGER NOT NULL, during TSTZRANGE NOT NULL, "Guest ""name""" TEXT);
ALTER TABLE bookings ADD CONSTRAINT "no ""overlap""" EXCLUDE USING gist (during WITH -|-);
ALTER TABLE bookings ADD CONSTRAINT one_guest EXCLUDE USING btree ("Guest ""name""" WITH =);
ALTER TABLE bookings ADD CONSTRAINT lower_guest EXCLUDE USING btree (lower("Guest ""name""") WITH =) WHERE (room > 0) DEFERRABLE;
CREATE TABLE slots (id INTEGER PRIMARY KEY, span INT4RANGE, kind TEXT);
CREATE TABLE rooms (id INTEGER PRIMARY KEY, span TSRANGE, CONSTRAINT "rooms ""span""" EXCLUDE USING gist (span WITH &&));
