CREATE TABLE a (i int4, b bool, v varchar(20), ts timestamp, d decimal(10,2), f float8, s int2,
  c char(3), tz timestamptz, w text DEFAULT 'x');
