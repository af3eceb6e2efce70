INSERT INTO bookings VALUES (1, 1, '[2026-01-01, 2026-01-02)', 'Ann'), (2, 2, '[2026-01-03, 2026-01-04)', 'Bob');
INSERT INTO slots VALUES (1, '[1, 5)', 'a'), (2, '[7, 9)', 'b');
