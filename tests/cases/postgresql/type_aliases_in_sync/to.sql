CREATE TABLE a (i integer, b boolean, v character varying(20), ts timestamp without time zone,
  d numeric(10,2), f double precision, s smallint, c character(3), tz timestamp with time zone,
  w text DEFAULT 'x'::text);
