"""The SQLite fast paths give what the slow ones give.

``sqlite_parse`` skips plain column definitions and reads common table constraints and plain
CREATE INDEX statements with one regular expression each instead of tokens, ``load_models``
creates large models in groups of in-memory databases, and the reader builds each table in
``normalize``'s order, makes a repeated column definition or index part once and pauses the garbage
collector. All are performance work only: these tests compare each fast path with the token
parser / the single database / ``normalize``, on every CREATE statement the case files make SQLite
store, on hand-written edge cases and on seeded random mutations of both.
"""
from __future__ import annotations

import gc
import random
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

import schemadrift
from schemadrift.dialects import sqlite as S
from schemadrift.dialects import sqlite_parse as P

CASES = Path(__file__).parent / "cases"
pytestmark = pytest.mark.filterwarnings("ignore:Cannot correctly sort tables")  # _models() has an FK cycle

EDGE_TABLES = [
    "CREATE TABLE t (a INT, b TEXT COLLATE NOCASE, c INTEGER PRIMARY KEY AUTOINCREMENT)",
    "CREATE TABLE t (a INT AS (b+1) STORED, b INT GENERATED ALWAYS AS (1))",
    'CREATE TABLE t ("check" INT, [unique] TEXT, `as` REAL, check_x INT, x_as INT, asx INT)',
    "CREATE TABLE t (a INT DEFAULT 'CHECK', b INT DEFAULT (1), c INT DEFAULT -1, d NUMERIC(10, 2))",
    "CREATE TABLE t (a INT, b INT, CONSTRAINT pk PRIMARY KEY (a, b)) WITHOUT ROWID",
    "CREATE TABLE t (a INT, b INT) STRICT",
    "CREATE TABLE t (a INT,, b INT)",
    "CREATE TABLE t (x'00' INT, y INT DEFAULT x'00', z INT DEFAULT 1e5, w INT DEFAULT 0x1F)",
    "CREATE TABLE t (a INT DEFAULT 'it''s', b INT DEFAULT ('x'), c VARCHAR ( 10 ) , d)",
    "CREATE TABLE t (a INT REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED, b INT CONSTRAINT u UNIQUE)",
    "CREATE TABLE t (a INT -- comment )\n, b INT /* ( */)",
    'CREATE TABLE "t(x" (a INT, b INT)',
    "CREATE TABLE t (a INT NOT NULL ON CONFLICT REPLACE, b INT NULL, c INT (PRIMARY))",
    "CREATE TABLE t (a \u00e9l\u00e8ve INT, \u00e9 INT, b INT DEFAULT 'x\u00e9')",
    "CREATE TABLE t (a INT DEFAULT 1.5, b INT DEFAULT .5, c INT DEFAULT 1.)",
    "CREATE TABLE t (a INT, b INT",
    "CREATE TABLE t AS SELECT 1",
    "CREATE TABLE t (a INT DEFAULT +1, b INT DEFAULT - 1, c INT DEFAULT (- 1), d INT ->> 1)",
    "CREATE TABLE t (a INT, CONSTRAINT)",
    "CREATE TABLE t (a aS INT, b INT aS (1), c Primary KEY)",
    "CREATE TABLE t (a \u017f, b cla\u017f\u017f, c chec\u212a)",
    "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a), UNIQUE (a, \"b\"), CHECK (a > (b + (1))), "
    "CHECK(a IN ('x)', 'y')))",
    'CREATE TABLE t (a INT, CONSTRAINT "my pk" PRIMARY KEY (a DESC) ON CONFLICT ABORT, '
    "CONSTRAINT [u] UNIQUE ([a]))",
    "CREATE TABLE t (a INT, CONSTRAINT f FOREIGN KEY (a) REFERENCES p (id) ON DELETE SET NULL "
    "ON UPDATE NO ACTION)",
    "CREATE TABLE t (a INT, FOREIGN KEY (a) REFERENCES p ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED)",
    "CREATE TABLE t (a INT, FOREIGN KEY (a) REFERENCES main.p (id), FOREIGN KEY(a)REFERENCES p(id))",
    "CREATE TABLE t (a INT, CONSTRAINT c CHECK ( a > 0 ) , CONSTRAINT d CHECK (((a))), CHECK (a), CHECK ())",
    "CREATE TABLE t (a INT, CONSTRAINT c CHECK (a > 0) NOT NULL, UNIQUE (a COLLATE nocase), "
    "UNIQUE (a) ON CONFLICT REPLACE)",
    "CREATE TABLE t (a INT, CONSTRAINT 'str' CHECK (a), CONSTRAINT x, CONSTRAINT y PRIMARY)",
    "CREATE TABLE t (a INT, CHECK (a = ']'), CHECK (a = \"x)\"), CHECK (a = [x)]), CHECK (a = `)`))",
    "CREATE TABLE t (a INT, CONSTRAINT primary PRIMARY KEY (a), CONSTRAINT unique UNIQUE (check))",
    "CREATE TABLE t (a INT, FOREIGN KEY (a) REFERENCES p (id) ON DELETE CASCADEX, "
    "FOREIGN KEY (a) REFERENCES p (id) MATCH FULL)",
    # the tokenizer reads a non-ASCII space after a word as part of the word
    "CREATE TABLE t (a INT, CHECK (a\u00a0), CHECK (\u00a0a > 1\u2003))",
]
EDGE_INDEXES = [
    "CREATE INDEX on ON t (a)", 'CREATE UNIQUE INDEX "i(" ON [t] ("a", `b`, [c])',
    "CREATE INDEX i ON t(a) WHERE a > 0", "CREATE INDEX i ON t (a DESC, b COLLATE nocase)",
    "CREATE INDEX main.i ON t (a)", "CREATE INDEX i ON t (a) -- x", "CREATE INDEX i ON t (lower(a))",
    "create index i on t (a , b )\u00a0", "CREATE INDEX i ON t (customer_id, DESC)",
]
PIECES = [" ", ",", "(", ")", "'", '"', "x", "1", "-", "[", "`", ".", "\u00e9", "\u00a0", "e5", "AS",
          "CHECK", "COLLATE", "PRIMARY", "CONSTRAINT ", "UNIQUE (", "FOREIGN KEY (", "REFERENCES ",
          "ON DELETE ", "DEFERRABLE ", "DESC", "WHERE", "ON"]


def _stored(kind: str) -> list[str]:
    """The CREATE statements SQLite stores for the SQLite and common case files."""
    out = []
    for path in sorted(CASES.glob("*/*/*.sql")):
        if path.parts[-3] not in ("sqlite", "common"):
            continue
        con = sqlite3.connect(":memory:")
        try:
            con.executescript(path.read_text(encoding="utf-8"))
        except sqlite3.Error:
            continue  # a statement for another dialect
        out += [r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL",
                                          (kind,))]
    return out


def _mutations(texts: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text = rng.choice(texts)
        k = rng.randrange(len(text))
        out.append(text[:k] + rng.choice(PIECES) + text[k + rng.randrange(3):])
    return out


def _outcome(fn, text):
    try:
        return fn(text)
    except Exception as e:  # noqa: BLE001 - both paths must fail alike
        return type(e)


def test_fast_create_table_reads_what_the_tokens_read():
    texts = _stored("table") + EDGE_TABLES
    assert len(texts) > 100
    for text in texts + _mutations(texts, 4000, seed=6):
        assert _outcome(P.parse_create_table, text) == _outcome(P._parse_create_table, text), text


def test_fast_create_index_reads_what_the_tokens_read():
    texts = _stored("index") + EDGE_INDEXES
    assert len(texts) > 30
    for text in texts + _mutations(texts, 3000, seed=7):
        assert _outcome(P.parse_create_index, text) == _outcome(P._parse_create_index, text), text


def test_plain_statements_take_the_fast_path(monkeypatch):
    """A table of plain columns and common constraints, and a plain index, need no tokens."""
    def no_tokens(*args, **kwargs):
        raise AssertionError("tokenized")

    monkeypatch.setattr(P, "tokenize", no_tokens)
    monkeypatch.setattr(P, "_items", no_tokens)
    t = P.parse_create_table(
        "CREATE TABLE t (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(200) DEFAULT 'x' NOT NULL, "
        "\n\tamount NUMERIC(12, 2) DEFAULT 0 NOT NULL, \n\tPRIMARY KEY (id), \n\t"
        "CONSTRAINT uq_t_name UNIQUE (name), \n\tCONSTRAINT ck_t CHECK (name IN ('a', 'b')), \n\t"
        "CONSTRAINT fk_t FOREIGN KEY(id) REFERENCES p (id) ON DELETE CASCADE\n)")
    assert t.columns == {}  # no column carries a fact: none is recorded
    assert t.pk_name is None and not t.without_rowid and not t.strict
    assert t.uniques == [("uq_t_name", ("name",))]
    assert t.checks == [("ck_t", "name IN ('a', 'b')")]
    assert [(f.name, f.columns, f.ref_table, f.ref_columns) for f in t.foreign_keys] == \
        [("fk_t", ("id",), "p", ("id",))]
    assert P.parse_create_index('CREATE INDEX ix ON t (a, "B")') == ([("a", None), ('"B"', None)], None)
    lower = P.parse_create_table(  # keywords are matched in any case
        "create table t (id integer not null, constraint pk primary key (id), constraint u unique (id), "
        "constraint ck check (id > 0), constraint f foreign key (id) references p (id) on delete set null)")
    assert (lower.pk_name, lower.uniques, lower.checks) == ("pk", [("u", ("id",))], [("ck", "id > 0")])
    assert [(f.name, f.ref_table) for f in lower.foreign_keys] == [("f", "p")]


def test_only_columns_with_a_fact_are_recorded():
    for parse in (P.parse_create_table, P._parse_create_table):
        t = parse("CREATE TABLE t (a INT NOT NULL DEFAULT 1, b TEXT COLLATE nocase, c INTEGER PRIMARY KEY, "
                  "d INT AS (a + 1), e INT CHECK (e > 0), f INT REFERENCES p)")
        assert sorted(t.columns) == ["b", "c", "d"], parse


def _load(tmp_path, ddl: str) -> schemadrift.Schema:
    path = tmp_path / "fast.db"
    con = sqlite3.connect(path)
    con.executescript(ddl)
    con.close()
    return schemadrift.load(f"sqlite:///{path}")


def test_tables_are_read_in_normalize_order(tmp_path):
    """The reader skips ``normalize``: each table must come out in its order, ties included (two
    unnamed UNIQUE constraints, ordered by their parts, declared the other way round)."""
    schema = _load(tmp_path, """
        CREATE TABLE p (id INTEGER PRIMARY KEY, a INT, b INT);
        CREATE TABLE t (x INT, y INT, z INT,
            UNIQUE (z), UNIQUE (y), CONSTRAINT uq_b UNIQUE (x, y), CONSTRAINT uq_a UNIQUE (z, x),
            CONSTRAINT ck_z CHECK (z > 0), CHECK (y > 0), CONSTRAINT ck_a CHECK (x > 0),
            CONSTRAINT fk_z FOREIGN KEY (z) REFERENCES p (id), FOREIGN KEY (y) REFERENCES p (id),
            CONSTRAINT fk_a FOREIGN KEY (x) REFERENCES p (id));
        CREATE INDEX ix_z ON t (z); CREATE INDEX ix_a ON t (y DESC);""")
    t = schema.table("t")
    assert [(i.name, i.columns) for i in t.indexes if i.is_constraint] == [
        (None, ("y",)), (None, ("z",)), ("uq_a", ("z", "x")), ("uq_b", ("x", "y"))]
    normalized = S.SQLiteDialect().normalize(schema)
    assert [repr(x) for x in normalized.tables] == [repr(x) for x in schema.tables]


def test_a_shared_column_definition_keeps_each_tables_facts(tmp_path):
    """``id INTEGER`` is one object for every table that declares it so; a rowid alias (NOT NULL
    whatever it declares), a collation or an index part's own collation stays the table's own."""
    schema = _load(tmp_path, """
        CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT COLLATE NOCASE);
        CREATE TABLE b (id INTEGER, x TEXT);
        CREATE TABLE c (id INTEGER, x TEXT);
        CREATE INDEX ix_a ON a (x COLLATE NOCASE); CREATE INDEX ix_b ON b (x COLLATE NOCASE);
        CREATE INDEX ix_c ON c (x COLLATE NOCASE);""")
    a, b, c = (schema.table(n) for n in "abc")
    assert not a.column("id").nullable and b.column("id").nullable
    assert a.column("x").collation == "NOCASE" and b.column("x").collation is None
    assert a.indexes[0].parts[0].collation is None and b.indexes[0].parts[0].collation == "NOCASE"
    assert b.column("x") is c.column("x") and b.indexes[0].parts[0] is c.indexes[0].parts[0]


@pytest.mark.parametrize("enabled", [True, False])
def test_introspection_pauses_the_garbage_collector_and_restores_it(tmp_path, monkeypatch, enabled):
    seen = []
    original = S._Reader.read

    def read(self):
        seen.append(gc.isenabled())
        return original(self)

    monkeypatch.setattr(S._Reader, "read", read)
    (gc.enable if enabled else gc.disable)()
    try:
        assert _load(tmp_path, "CREATE TABLE t (a INT)").table("t") is not None
        assert gc.isenabled() is enabled and seen == [False]
    finally:
        gc.enable()


def test_a_driver_error_while_reading_is_a_source_error(tmp_path, monkeypatch):
    """The reader fetches with the driver itself: its errors still reach the user as one line."""
    path = tmp_path / "x.db"
    sqlite3.connect(path).close()
    monkeypatch.setattr(S, "_query", lambda name: "SELECT no_such_function()")
    with pytest.raises(schemadrift.SourceError, match="no such function: no_such_function"):
        schemadrift.load(f"sqlite:///{path}")


def _models() -> sa.MetaData:
    """Eleven tables whose foreign keys cross groups of three: by column list, by the parent's
    key (no columns), with another column case, and in a cycle."""
    md = sa.MetaData()
    for i in range(11):
        cols = [sa.Column("ID", sa.Integer, primary_key=True), sa.Column("name", sa.String(20)),
                sa.Column("flag", sa.Boolean, server_default=sa.text("1"))]
        if i:
            cols.append(sa.Column("prev", sa.Integer, sa.ForeignKey(f"t{i - 1}.ID", name=f"fk_{i}")))
        sa.Table(f"t{i}", md, *cols, sa.Index(f"ix_{i}", "name"),
                 sa.CheckConstraint("ID > 0", name=f"ck_{i}"))
    sa.Table("t0", md, sa.Column("last", sa.Integer, sa.ForeignKey("t10.ID")), extend_existing=True)
    sa.Table("kids", md, sa.Column("pid", sa.Integer), sa.Column("e", sa.Enum("a", "b", name="kind")),
             sa.ForeignKeyConstraint(["pid"], ["t3.ID"]))
    return md


def test_models_in_groups_load_as_in_one_database(monkeypatch):
    one = schemadrift.load(_models(), dialect="sqlite")
    monkeypatch.setattr(S, "MODEL_GROUP", 3)
    assert len(S._model_groups(_models())) == 4
    grouped = schemadrift.load(_models(), dialect="sqlite")
    assert grouped == one
    assert schemadrift.snapshot.to_dict(grouped) == schemadrift.snapshot.to_dict(one)


def test_a_ddl_listener_keeps_the_models_in_one_database(monkeypatch):
    monkeypatch.setattr(S, "MODEL_GROUP", 3)
    md = _models()
    sa.event.listen(md, "after_create", sa.DDL("CREATE VIEW v AS SELECT * FROM t1 JOIN t9 USING (ID)"))
    assert S._model_groups(md) == [None]
    assert schemadrift.load(md, dialect="sqlite").not_compared == ("view v",)


@pytest.mark.parametrize("group", [1, 4, 100])
def test_group_size_does_not_change_the_models(monkeypatch, group):
    monkeypatch.setattr(S, "MODEL_GROUP", group)
    monkeypatch.setattr(S, "_listens", lambda target: False)
    grouped = schemadrift.load(_models(), dialect="sqlite")
    monkeypatch.setattr(S, "MODEL_GROUP", 10_000)
    assert grouped == schemadrift.load(_models(), dialect="sqlite")


def test_a_model_sqlite_rejects_fails_alike_in_groups(monkeypatch):
    md = _models()
    sa.Table("broken", md, sa.Column("a", sa.Integer), sa.CheckConstraint("a >>> 1", name="ck_bad"))
    messages = []
    for group in (3, 10_000):
        monkeypatch.setattr(S, "MODEL_GROUP", group)
        with pytest.raises(schemadrift.SourceError, match="cannot be created on SQLite") as info:
            schemadrift.load(md, dialect="sqlite")
        messages.append(str(info.value))
    assert messages[0] == messages[1]
