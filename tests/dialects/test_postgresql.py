"""The PostgreSQL dialect: normalization one-liners (no server), rendering one-liners, and live
checks on the real server — models vs the database they create, hostile identifiers, and every
rendered op applied to a table and re-introspected ("apply & re-introspect")."""
from __future__ import annotations

import contextlib
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import conftest
import pytest
import sqlalchemy as sa
from conftest import scratch_database
from sqlalchemy.dialects import postgresql

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for fixtures/
from fixtures.models import bookshop, rich  # noqa: E402
from schemadrift import dialects
from schemadrift.differ import diff, explain
from schemadrift.errors import PlanError
from schemadrift.ir import (
    Check,
    Column,
    ColumnType,
    Default,
    EnumType,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)
from schemadrift.models import load_metadata
from schemadrift.planner import ops
from schemadrift.planner.model import HazardKind

PG = dialects.get("postgresql")


def T(raw: str) -> ColumnType:
    return PG.parse_type(raw)


def default(raw: str, type_raw: str = "integer") -> str | None:
    d = PG.normalize_default(raw, T(type_raw))
    return None if d is None else d.expr


# -- types ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("server, model", [
    ("integer", "INTEGER"), ("bigint", "BIGINT"), ("smallint", "SMALLINT"), ("integer", "int4"),
    ("character varying(100)", "VARCHAR(100)"), ("character varying", "VARCHAR"),
    ("character(1)", "CHAR"), ("character(3)", "CHAR(3)"), ("text", "TEXT"),
    ("numeric(10,2)", "NUMERIC(10, 2)"), ("numeric(10,0)", "NUMERIC(10)"), ("numeric", "NUMERIC"),
    ("double precision", "FLOAT"), ("real", "FLOAT(24)"), ("double precision", "DOUBLE PRECISION"),
    ("boolean", "BOOLEAN"), ("json", "JSON"), ("jsonb", "JSONB"), ("bytea", "BYTEA"),
    ("timestamp without time zone", "TIMESTAMP WITHOUT TIME ZONE"),
    ("timestamp with time zone", "TIMESTAMP WITH TIME ZONE"), ("timestamp with time zone", "timestamptz"),
    ("timestamp(3) without time zone", "TIMESTAMP(3) WITHOUT TIME ZONE"),
    ("timestamp without time zone", "TIMESTAMP(6) WITHOUT TIME ZONE"),
    ("time without time zone", "TIME WITHOUT TIME ZONE"), ("time with time zone", "TIME WITH TIME ZONE"),
    ("date", "DATE"), ("uuid", "UUID"), ("inet", "INET"), ("interval", "INTERVAL"),
    ("integer[]", "INTEGER[]"), ("character varying(5)[]", "VARCHAR(5)[][]"),
    ("order_status", "order_status"), ('"Mood"', '"Mood"'), ("other.m2", "other.m2"),
])
def test_type_aliases(server, model):
    assert T(server) == T(model)


@pytest.mark.parametrize("a, b", [
    ("integer", "bigint"), ("character varying(10)", "character varying(20)"), ("character varying", "text"),
    ("numeric(10,2)", "numeric(12,2)"), ("real", "double precision"), ("timestamp without time zone",
                                                                      "timestamp with time zone"),
    ("json", "jsonb"), ("integer[]", "integer"), ('"Mood"', "mood"), ("character(1)", "bpchar"),
    ('"char"', "character(1)"),
])
def test_types_that_differ(a, b):
    assert T(a) != T(b)


def test_type_canonical_fields():
    assert T("character varying(255)") == ColumnType("varchar", (255,))
    assert T("timestamp(3) with time zone") == ColumnType("timestamptz", (3,))
    assert T("text[]").array_dims == 1 and T("text[]").name == "text"
    assert T('"Mood"').name == "Mood" and T("public.mood").name == "mood"
    assert T("double precision").raw == "double precision"


@pytest.mark.parametrize("t", ["varchar(10)", "double", "timestamptz", "timestamp(3)", "numeric(8, 2)",
                               "Mood", "text", "timetz"])
def test_type_sql_from_canonical(t):
    canonical = replace(T(t if t != "Mood" else '"Mood"'), raw="")
    assert T(PG.type_sql(canonical)) == canonical


# -- defaults ------------------------------------------------------------------------------------
@pytest.mark.parametrize("server, model, type_raw", [
    ("'x'::character varying", "'x'", "varchar(10)"),
    ("'new'::order_status", "'new'", "order_status"),
    ("'0'::numeric", "0", "numeric"),
    ("'-1'::integer", "-1", "integer"),
    ("(-1)", "-1", "integer"),
    ("now()", "CURRENT_TIMESTAMP", "timestamp without time zone"),
    ("CURRENT_TIMESTAMP", "now()", "timestamp with time zone"),
    ("true", "'t'", "boolean"), ("false", "'0'", "boolean"), ("true", "TRUE", "boolean"),
    ("'{}'::text[]", "'{}'", "text[]"),
    ("'{}'::jsonb", "'{}'", "jsonb"),
    ("1", "1.0", "integer"),
    ("CURRENT_DATE", "current_date", "date"),
])
def test_default_equivalences(server, model, type_raw):
    assert default(server, type_raw) == default(model, type_raw)


@pytest.mark.parametrize("a, b, type_raw", [
    ("'x'", "'y'", "text"), ("0", "1", "integer"), ("true", "false", "boolean"),
    ("now()", "CURRENT_DATE", "date"), ("'1'", "1", "text"),
])
def test_defaults_that_differ(a, b, type_raw):
    assert default(a, type_raw) != default(b, type_raw)


def test_default_kinds():
    assert PG.normalize_default("nextval('s'::regclass)", T("integer")).kind == "sequence"
    assert PG.normalize_default("'x'::text", T("text")).kind == "literal"
    assert PG.normalize_default("now()", T("timestamp")).kind == "expression"
    assert PG.normalize_default("NULL::character varying", T("varchar")) is None
    assert PG.normalize_default("'x'::character varying", T("varchar")).raw == "'x'::character varying"


def test_numeric_defaults_with_scale_are_values():
    a = Column("p", T("numeric(12,2)"), default=PG.normalize_default("0", T("numeric(12,2)")))
    b = Column("p", T("numeric(12,2)"), default=PG.normalize_default("0.00", T("numeric(12,2)")))
    assert PG.same_default(a, b)
    c = replace(b, default=PG.normalize_default("0.01", T("numeric(12,2)")))
    assert not PG.same_default(a, c)


# -- expressions (what pg_get_expr(..., true) prints vs what SQLAlchemy compiles) ----------------
@pytest.mark.parametrize("server, model", [
    ("price >= 0::numeric", "price >= 0"),
    ("(b >= (0)::numeric)", "b >= 0"),
    ("s::text = ANY (ARRAY['a'::character varying, 'b'::character varying]::text[])", "s IN ('a', 'b')"),
    ("s::text <> ALL (ARRAY['a'::character varying]::text[])", "s NOT IN ('a')"),
    ("u > 0 AND u < 10 OR u IS NULL", "((u > 0) AND (u < 10)) OR (u IS NULL)"),
    ("v > '2020-01-01'::date", "v > '2020-01-01'"),
    ("lower(title::text)", "lower(title)"),
    ("status::text <> 'done'::text", "status <> 'done'"),
    ("deleted_at IS NULL", "deleted_at is null"),
    ("name::text = lower(name::text)", "((name)::TEXT = LOWER((name)::TEXT))"),
    ("coalesce(a + b, 0)", "coalesce((a + b), 0)"),
    ("length(\"we\"\"ird col\"::text) > 0", "length((\"we\"\"ird col\")::text) > 0"),
    ("status <> 'a'::text", "status NOT IN ('a')"), ("status = 'a'::text", "status IN ('a')"),
    ("name::text ~~ 'a%'::text", "name LIKE 'a%'"), ("name::text ~~* '%x%'::text", "name ILIKE '%x%'"),
    ("NOT qty > 0", "NOT (qty > 0)"), ("(qty * 2) > 10", "qty * 2 > 10"), ("(qty % 2) = 0", "qty % 2 = 0"),
    ("(- qty) < 0", "-qty < 0"), ("qty > '-5'::integer", "qty > -5"),
    ("price > '1000'::numeric", "price > 1e3"),
    ("(qty + 1)::numeric > price", "qty + 1 > price"),
    ("created > '2020-01-01 00:00:00'::timestamp without time zone", "created > '2020-01-01'"),
    ("price >= 0::numeric AND price <= 100::numeric OR price IS NULL",
     "price BETWEEN 0 AND 100 OR price IS NULL"),
    ("POSITION(('a'::text) IN (name)) > 0", "position('a' in (name)) > 0"),
])
def test_expr_equivalences(server, model):
    assert PG.normalize_expr(server) == PG.normalize_expr(model)


@pytest.mark.parametrize("a, b", [
    ("(a + b) * c", "a + b * c"), ("a > 0 AND (b > 0 OR c > 0)", "a > 0 AND b > 0 OR c > 0"),
    ("created::date = '2020-01-01'", "created = '2020-01-01'"), ("x = 'It''s'", "x = 'it''s'"),
    ('"Price" > 0', "price > 0"), ("price > 0", "price >= 0"),
])
def test_exprs_that_differ(a, b):
    assert PG.normalize_expr(a) != PG.normalize_expr(b)


def test_expr_stays_valid_sql():
    assert PG.normalize_expr("(x)::text = ANY (ARRAY['a'::text, 'b'::text])") == "x in ('a', 'b')"
    assert PG.normalize_expr("NOT (a > 0)") == "not a > 0"
    assert PG.normalize_expr("NOT (a > 0 AND b)") == "not (a > 0 and b)"
    assert PG.normalize_expr("a - (c - d) > (0)") == "a - (c - d) > 0"
    assert PG.normalize_expr("a * (b + c) = (d)") == "a * (b + c) = d"
    assert PG.normalize_expr("x > -1") == "x > -1"


# -- rendering one-liners --------------------------------------------------------------------------
USERS = Table("users", columns=(
    Column("id", T("integer"), nullable=False, identity=Identity("autoincrement")),
    Column("email", T("character varying(255)"), nullable=False),
    Column("name", T("text"), default=Default("'anon'", raw="'anon'::text")),
), primary_key=PrimaryKey(("id",), "users_pkey"))


def sql(op) -> list[str]:
    return PG.render(op)


def test_render_add_column():
    col = Column("age", T("integer"), default=Default("0", raw="0"))
    assert sql(ops.AddColumn(USERS, column=col)) == ['ALTER TABLE "users" ADD COLUMN "age" integer DEFAULT 0']


def test_render_default_sequence_is_created_first():
    seq_default = PG.normalize_default("nextval('public.n_seq'::regclass)", T("integer"))
    col = Column("n", T("integer"), default=seq_default)
    assert sql(ops.AddColumn(USERS, column=col)) == [
        "CREATE SEQUENCE IF NOT EXISTS public.n_seq",
        'ALTER TABLE "users" ADD COLUMN "n" integer DEFAULT nextval(\'public.n_seq\'::regclass)']


def test_render_create_table_serial_and_constraints():
    out = sql(ops.CreateTable(USERS))
    assert out[0].startswith('CREATE TABLE "users" (\n    "id" serial NOT NULL,')
    assert 'CONSTRAINT "users_pkey" PRIMARY KEY ("id")' in out[0]


def test_render_create_index_concurrently():
    ix = Index("ix_users_email", (IndexPart(column="email", descending=True),), predicate="name is not null")
    assert sql(ops.CreateIndex(USERS, index=ix)) == [
        'CREATE INDEX CONCURRENTLY "ix_users_email" ON "users" ("email" DESC) WHERE name is not null']
    assert PG.transactional(ops.CreateIndex(USERS, index=ix)) is False
    assert [h.kind for h in PG.hazards(ops.CreateIndex(USERS, index=ix))] == [HazardKind.INDEX_BUILD]


def test_render_index_nulls_order_and_its_defaults():
    ix = Index("ix_n", (IndexPart(column="email", nulls="first"),
                        IndexPart(column="id", descending=True, nulls="last"),
                        IndexPart(expr="lower(name)", descending=True)))
    assert sql(ops.CreateIndex(USERS, index=ix)) == [
        'CREATE INDEX CONCURRENTLY "ix_n" ON "users" '
        '("email" NULLS FIRST, "id" DESC NULLS LAST, (lower(name)) DESC)']
    assert [PG.index_nulls(desc, nulls) for desc, nulls in
            [(False, "first"), (False, "LAST"), (True, "first"), (True, "last"), (False, None)]] == [
        "first", None, None, "last", None]


def test_render_unique_constraint_uses_index():
    uq = Index("uq_users_email", (IndexPart(column="email"),), unique=True, is_constraint=True)
    assert sql(ops.CreateIndex(USERS, index=uq)) == [
        'CREATE UNIQUE INDEX CONCURRENTLY "uq_users_email" ON "users" ("email")',
        'ALTER TABLE "users" ADD CONSTRAINT "uq_users_email" UNIQUE USING INDEX "uq_users_email"']
    assert sql(ops.DropIndex(USERS, index=uq)) == ['ALTER TABLE "users" DROP CONSTRAINT "uq_users_email"']


def test_render_fk_not_valid_then_validate():
    fk = ForeignKey(None, ("id",), "accounts", ("id",), on_delete="CASCADE")
    assert sql(ops.AddForeignKey(USERS, foreign_key=fk)) == [
        'ALTER TABLE "users" ADD CONSTRAINT "users_id_fkey" FOREIGN KEY ("id") REFERENCES "accounts" ("id") '
        'ON DELETE CASCADE NOT VALID',
        'ALTER TABLE "users" VALIDATE CONSTRAINT "users_id_fkey"']


def test_render_set_not_null_through_check():
    before = USERS.column("name")
    out = sql(ops.AlterColumn(USERS, before=before, after=replace(before, nullable=False),
                              what=frozenset({"nullable"})))
    assert out == ['ALTER TABLE "users" ADD CONSTRAINT "users_name_not_null" CHECK ("name" IS NOT NULL) '
                   'NOT VALID',
                   'ALTER TABLE "users" VALIDATE CONSTRAINT "users_name_not_null"',
                   'ALTER TABLE "users" ALTER COLUMN "name" SET NOT NULL',
                   'ALTER TABLE "users" DROP CONSTRAINT "users_name_not_null"']


def test_render_type_change_hazards():
    email = USERS.column("email")
    widen = ops.AlterColumn(USERS, before=email, after=replace(email, type=T("character varying(300)")),
                            what=frozenset({"type"}))
    assert sql(widen) == ['ALTER TABLE "users" ALTER COLUMN "email" TYPE character varying(300)']
    assert PG.hazards(widen) == []
    ident = USERS.column("id")
    grow = ops.AlterColumn(USERS, before=ident, after=replace(ident, type=T("bigint")),
                           what=frozenset({"type"}))
    assert {h.kind for h in PG.hazards(grow)} == {HazardKind.TABLE_REWRITE, HazardKind.BLOCKING_LOCK}
    name = USERS.column("name")
    to_int = ops.AlterColumn(USERS, before=replace(name, default=None), after=replace(name, type=T("integer"),
                                                                                       default=None),
                             what=frozenset({"type"}))
    assert sql(to_int) == ['ALTER TABLE "users" ALTER COLUMN "name" TYPE integer USING "name"::integer']


def test_render_enums():
    e = EnumType("mood", ("sad", "ok"))
    assert sql(ops.CreateEnum(None, enum=e)) == ["CREATE TYPE \"mood\" AS ENUM ('sad', 'ok')"]
    assert sql(ops.AddEnumValue(None, enum=e, value="happy", after="ok")) == [
        "ALTER TYPE \"mood\" ADD VALUE 'happy' AFTER 'ok'"]
    assert sql(ops.AddEnumValue(None, enum=e, value="meh", after=None)) == [
        "ALTER TYPE \"mood\" ADD VALUE 'meh' BEFORE 'sad'"]
    assert PG.transactional(ops.AddEnumValue(None, enum=e, value="x")) is False


def test_session_settings_and_rollback():
    col = Column("age", T("integer"))
    add = ops.AddColumn(USERS, column=col)
    assert PG.session_settings(add) == ["SET lock_timeout = '5s'"]
    assert PG.render_rollback(add) == ['ALTER TABLE "users" DROP COLUMN "age"']
    assert PG.render_rollback(ops.DropColumn(USERS, column=col)) is None


def test_quoting_hostile_names():
    assert PG.quote('we"ird') == '"we""ird"'
    assert PG.qualified("t", 'sch"ema') == '"sch""ema"."t"'
    assert PG.literal("it's") == "'it''s'"


def test_sync_trigger_names_are_length_safe():
    long = "x" * 60
    t = Table(long, columns=(Column(long + "a", T("text")), Column(long + "b", T("text"))))
    fn, trg = PG.sync_names(t, t.columns[0], t.columns[1])
    assert len(fn.encode()) <= 63 and len(trg.encode()) <= 63 and fn != trg


def test_cannot_change_partitioning():
    t = Table("p", options=(("partition_by", "RANGE (d)"),))
    with pytest.raises(PlanError):
        sql(ops.SetTableOptions(t, options=()))


# -- live: models vs the database they create ----------------------------------------------------
class Live:
    """One scratch database kept open for a whole module: an autocommit DBAPI connection for
    statements (no parameters, so ``%`` reaches the server as written) and a pooled engine."""

    def __init__(self, url: str, search_path: str | None = None):
        import psycopg
        self.url = url
        # test set-up only: commits need not wait for the disk
        settings = "-c synchronous_commit=off" + (f" -c search_path={search_path}" if search_path else "")
        self.raw = psycopg.connect(url, autocommit=True, options=settings)
        self.engine = sa.create_engine(url, connect_args={"options": settings})

    def run(self, statements) -> None:
        with self.raw.cursor() as cur:
            for statement in statements:
                cur.execute(statement)

    def close(self) -> None:
        self.raw.close()
        self.engine.dispose()


def execute(target, statements) -> None:
    if isinstance(target, Live):
        target.run(statements)
    else:
        conftest.execute(target, statements)


def introspect(target, schemas: list[str] | None = None) -> Schema:
    own = not isinstance(target, Live)
    engine = sa.create_engine(target, poolclass=sa.pool.NullPool) if own else target.engine
    try:
        with engine.connect() as conn:
            return dialects.for_connection(conn).introspect(conn, schemas)
    finally:
        if own:
            engine.dispose()


def assert_in_sync(a: Schema, b: Schema) -> None:
    d = diff(a, b)
    assert d.in_sync, "\n".join(str(c) for c in d) + "\n" + explain(a, b)


@pytest.mark.parametrize("metadata", [rich.for_dialect("postgresql"), bookshop.metadata_pg],
                         ids=["rich", "bookshop"])
def test_models_match_the_database_they_create(home, metadata):
    metadata.create_all(home.engine)
    live = introspect(home)
    models = load_metadata(metadata, PG)
    assert_in_sync(live, models)
    assert_in_sync(models, live)
    assert {t.name for t in live.tables} == {t.name for t in models.tables}
    assert live.default_schema == home.schema and live.server_version


@pytest.mark.filterwarnings("ignore:Computed column")
def test_models_with_postgresql_options(home):
    md = sa.MetaData()
    t = sa.Table(
        "docs", md,
        sa.Column("id", sa.BigInteger, sa.Identity(start=10), primary_key=True),
        sa.Column("slug", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, server_default=""),
        sa.Column("tags", sa.ARRAY(sa.String(20))),
        sa.Column("weight", sa.Integer, sa.Computed("length(slug) * 2")),
        sa.Column("code", sa.String(10), server_default=sa.text("'x'::character varying")),
        sa.Column("mood", sa.Enum("sad", "ok", name="Mood")),
        sa.Column("price", sa.Numeric(8, 2), server_default=sa.text("'0'")),
        sa.Column("title", sa.Text, sa.CheckConstraint("title IN ('a', 'b')")),
        sa.Column("n", sa.Integer, server_default="0"), sa.Column("ok", sa.Boolean, server_default="false"),
        sa.Column("doc", postgresql.JSONB, server_default="{}"),
        sa.Column("uid", sa.Uuid, server_default=sa.text("gen_random_uuid()")),
        sa.Column("span", sa.Interval, server_default="1 day"),
        sa.Column("since", sa.DateTime, server_default="2020-01-01"),
        sa.Column("rate", sa.Numeric(5, 2), server_default="1.50"),
        sa.Column("ratio", sa.Float, server_default=sa.text("1.5")),
        sa.Column("flags", postgresql.ARRAY(sa.Integer), server_default="{}"),
        sa.CheckConstraint("price BETWEEN 0 AND 100 OR price IS NULL", name="ck_docs_price"),
        sa.UniqueConstraint("slug", "code", postgresql_nulls_not_distinct=True),
        postgresql_with={"fillfactor": 70},
    )
    sa.Index("ix_docs_slug", t.c.slug, postgresql_ops={"slug": "text_pattern_ops"},
             postgresql_include=["code"])
    sa.Index("ix_docs_tags", t.c.tags, postgresql_using="gin")
    sa.Index("ix_docs_lower", sa.func.lower(t.c.slug), t.c.id.desc(),
             postgresql_where=sa.text("mood <> 'sad' AND code IS NOT NULL"))
    md.create_all(home.engine)
    live = introspect(home)
    assert_in_sync(live, load_metadata(md, PG))
    docs = live.table("docs")
    assert dict(docs.options) == {"fillfactor": "70"}
    assert docs.column("id").identity == Identity("by_default", 10)
    assert docs.column("weight").generated.expr == "length(slug) * 2"
    assert docs.column("mood").type.name == "Mood" and live.enums[0].name == "Mood"


def test_index_nulls_order_only_where_not_the_default(home):
    """indoption NULLS FIRST on an ascending part, or its absence on a descending one, is kept;
    the direction's default (NULLS LAST ascending, NULLS FIRST descending) is no difference."""
    md = sa.MetaData()
    t = sa.Table("ev", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("at", sa.DateTime),
                 sa.Column("n", sa.Integer), sa.Column("tag", sa.Text))
    sa.Index("ix_ev_first", t.c.at.nulls_first(), t.c.n.desc().nulls_last())
    sa.Index("ix_ev_defaults", t.c.at.nulls_last(), sa.nulls_first(t.c.n.desc()))
    sa.Index("ix_ev_expr", sa.nulls_first(sa.func.lower(t.c.tag)), t.c.n.desc())
    md.create_all(home.engine)
    live = introspect(home)
    assert_in_sync(live, load_metadata(md, PG))
    parts = {ix.name: [(p.column or p.expr, p.descending, p.nulls) for p in ix.parts]
             for ix in live.table("ev").indexes}
    assert parts == {"ix_ev_first": [("at", False, "first"), ("n", True, "last")],
                     "ix_ev_defaults": [("at", False, None), ("n", True, None)],
                     "ix_ev_expr": [("lower(tag)", False, "first"), ("n", True, None)]}
    execute(home, ["DROP INDEX ix_ev_defaults", "CREATE INDEX ix_ev_defaults ON ev (at NULLS FIRST, n DESC)"])
    changes = [(c.kind, c.name, c.what) for c in diff(load_metadata(md, PG), introspect(home))]
    assert [(k, n) for k, n, _ in changes] == [("alter_index", "ix_ev_defaults")]


def test_drift_is_seen(home):
    md = bookshop.metadata_pg
    md.create_all(home.engine)
    execute(home, ["ALTER TABLE books ALTER COLUMN title TYPE varchar(400)",
                         "ALTER TABLE books ALTER COLUMN price SET DEFAULT 1",
                         "ALTER TABLE books DROP CONSTRAINT ck_books_price",
                         "ALTER TABLE books ADD CONSTRAINT ck_books_price CHECK (price > 0)",
                         "DROP INDEX ix_orders_open",
                         "CREATE INDEX ix_orders_open ON orders (placed_at) WHERE status <> 'closed'"])
    changes = {(c.kind, c.table, c.name) for c in diff(load_metadata(md, PG), introspect(home))}
    assert changes == {("alter_column", "books", "title"), ("alter_column", "books", "price"),
                       ("alter_check", "books", "ck_books_price"),
                       ("alter_index", "orders", "ix_orders_open")}


# -- live: apply each rendered op and re-introspect ------------------------------------------------
@pytest.fixture(scope="module")
def pg_db():
    with scratch_database("postgresql") as url:
        live = Live(url)
        yield live
        live.close()


@pytest.fixture
def home(pg_db):
    """A fresh schema that is the default one (first on the search path) of its own connections."""
    name = "h_" + uuid.uuid4().hex[:10]
    execute(pg_db, [f"CREATE SCHEMA {name}"])
    live = Live(pg_db.url, search_path=name)
    live.schema = name
    yield live
    live.close()
    execute(pg_db, [f"DROP SCHEMA {name} CASCADE"])


@pytest.fixture
def space(pg_db):
    """A fresh schema in the module's database: (url, schema name)."""
    name = "s_" + uuid.uuid4().hex[:10]
    execute(pg_db, [f"CREATE SCHEMA {name}"])
    yield pg_db, name
    execute(pg_db, [f"DROP SCHEMA {name} CASCADE"])


def live_table(url: Live, schema: str, name: str) -> Table:
    table = introspect(url, [schema]).table(name, schema)
    assert table is not None, f"{schema}.{name} not found"
    return table


def run(url: Live, op) -> None:
    """What an executor does with a step: session settings first, then each statement."""
    execute(url, PG.session_settings(op) + PG.render(op))


def applied(url: Live, space_name: str, op) -> None:
    """Apply ``op`` and check the table now is what ``op.apply`` says."""
    run(url, op)
    expected = op.apply(op.table)
    after = live_table(url, space_name, expected.name)
    assert_in_sync(Schema("postgresql", (after,)), Schema("postgresql", (expected,)))


def make(url: Live, schema: str, ddl: str, name: str = "t") -> Table:
    execute(url, [ddl.replace("{s}", schema)])
    return live_table(url, schema, name)


HOSTILE = Table('we"ird tablé', schema=None, columns=(
    Column("id", T("bigint"), nullable=False, identity=Identity("always")),
    Column("back`tick", T("character varying(20)"), default=Default("'x'", raw="'x'")),
    Column("with space", T("numeric(8,2)"), nullable=False, default=Default("0", raw="0")),
    Column("ünï", T("text"), comment="it's ünïcode"),
    Column("Mixed", T("boolean"), default=Default("true", raw="true")),
), primary_key=PrimaryKey(("id",), 'we"ird_pk'),
    indexes=(Index('uq "ünï"', (IndexPart(column="ünï"),), unique=True, is_constraint=True),
             Index("ix with space", (IndexPart(column="with space", descending=True),
                                     IndexPart(expr='lower("back`tick")')), predicate='"Mixed"')),
    checks=(Check("ck 'q'", '"with space" >= 0'),), comment='tab"le')


def test_hostile_identifiers_round_trip(space):
    url, s = space
    table = replace(HOSTILE, schema=s)
    for statement in PG.render(ops.CreateTable(table)):
        execute(url, [statement])
    live = live_table(url, s, table.name)
    assert_in_sync(Schema("postgresql", (live,)), Schema("postgresql", (table,)))
    assert live.column("ünï").comment == "it's ünïcode" and live.comment == 'tab"le'
    col = live.column("back`tick")
    applied(url, s, ops.AlterColumn(live, before=col, after=replace(col, nullable=False),
                                    what=frozenset({"nullable"})))


BASE = ("CREATE TABLE {s}.t (id integer PRIMARY KEY, name varchar(20), qty integer DEFAULT 0, "
        "note text, ref integer)")


@pytest.mark.parametrize("change", [
    "add_column", "add_identity_column", "drop_column", "widen", "int_to_bigint", "text_to_int",
    "set_not_null", "drop_not_null", "set_default", "drop_default", "comment", "to_serial", "to_identity",
    "collation",
])
def test_alter_column_ops_apply(space, change):
    url, s = space
    t = make(url, s, BASE)
    name, qty, note = t.column("name"), t.column("qty"), t.column("note")
    op = {
        "add_column": lambda: ops.AddColumn(t, column=Column("age", T("smallint"), nullable=False,
                                                               default=Default("18", raw="18"))),
        "add_identity_column": lambda: ops.AddColumn(t, column=Column("n", T("bigint"), nullable=False,
                                                                        identity=Identity("by_default"))),
        "drop_column": lambda: ops.DropColumn(t, column=note),
        "widen": lambda: ops.AlterColumn(t, before=name, after=replace(name, type=T("varchar(50)")),
                                         what=frozenset({"type"})),
        "int_to_bigint": lambda: ops.AlterColumn(t, before=qty, after=replace(qty, type=T("bigint")),
                                                 what=frozenset({"type"})),
        "text_to_int": lambda: ops.AlterColumn(t, before=note, after=replace(note, type=T("integer")),
                                               what=frozenset({"type"})),
        "set_not_null": lambda: ops.AlterColumn(t, before=qty, after=replace(qty, nullable=False),
                                                what=frozenset({"nullable"})),
        "drop_not_null": lambda: ops.AlterColumn(t, before=t.column("id"),
                                                 after=replace(t.column("id"), nullable=True),
                                                 what=frozenset({"nullable"})),
        "set_default": lambda: ops.AlterColumn(t, before=name, after=replace(
            name, default=PG.normalize_default("'n/a'", name.type)), what=frozenset({"default"})),
        "drop_default": lambda: ops.AlterColumn(t, before=qty, after=replace(qty, default=None),
                                                what=frozenset({"default"})),
        "comment": lambda: ops.AlterColumn(t, before=note, after=replace(note, comment="a 'note'"),
                                           what=frozenset({"comment"})),
        "to_serial": lambda: ops.AlterColumn(t, before=t.column("ref"), after=replace(
            t.column("ref"), identity=Identity("autoincrement")), what=frozenset({"identity"})),
        "to_identity": lambda: ops.AlterColumn(t, before=t.column("ref"), after=replace(
            t.column("ref"), nullable=False, identity=Identity("always", 5)),
            what=frozenset({"identity", "nullable"})),
        "collation": lambda: ops.AlterColumn(t, before=note, after=replace(note, collation="C"),
                                             what=frozenset({"collation"})),
    }[change]()
    if change == "drop_not_null":
        execute(url, [f"ALTER TABLE {s}.t DROP CONSTRAINT t_pkey"])
        t = live_table(url, s, "t")
        op = replace(op, table=t)
    if change == "to_identity":
        execute(url, [f"ALTER TABLE {s}.t ALTER COLUMN ref SET NOT NULL"])
        t = live_table(url, s, "t")
        ref = t.column("ref")
        op = ops.AlterColumn(t, before=ref, after=replace(ref, identity=Identity("always", 5)),
                             what=frozenset({"identity"}))
    execute(url, [f"INSERT INTO {s}.t (id, name, qty, note, ref) VALUES (1, 'a', 2, '3', 4)"])
    applied(url, s, op)


def test_serial_round_trip_back_to_plain(space):
    url, s = space
    t = make(url, s, "CREATE TABLE {s}.t (id serial PRIMARY KEY, x int)")
    col = t.column("id")
    assert col.identity == Identity("autoincrement") and col.default is None
    applied(url, s, ops.AlterColumn(t, before=col, after=replace(col, identity=None),
                                    what=frozenset({"identity"})))
    assert "sequence" not in " ".join(introspect(url, [s]).not_compared)


@pytest.mark.parametrize("which", ["plain", "nulls_order", "partial_expr", "include_gin", "unique_constraint",
                                   "primary_key", "foreign_key", "check"])
def test_index_and_constraint_ops_apply(space, which):
    url, s = space
    t = make(url, s, BASE.replace("id integer PRIMARY KEY", "id integer NOT NULL").replace(
        "note text", "note text, tags text[]"))
    execute(url, [f"CREATE TABLE {s}.other (id integer PRIMARY KEY)"])
    obj = {
        "plain": Index("ix_t_name", (IndexPart(column="name"), IndexPart(column="qty", descending=True))),
        "nulls_order": Index("ix_t_nulls", (IndexPart(column="name", nulls="first"),
                                            IndexPart(column="qty", descending=True, nulls="last"),
                                            IndexPart(expr="lower(note)", descending=True))),
        "partial_expr": Index("ix_t_lower", (IndexPart(expr="lower(name)"),), unique=True,
                              predicate="qty > 0 and note is not null"),
        "include_gin": Index("ix_t_tags", (IndexPart(column="tags"),), method="gin"),
        "unique_constraint": Index("uq_t_name", (IndexPart(column="name"), IndexPart(column="qty")),
                                   unique=True, is_constraint=True),
        "primary_key": PrimaryKey(("id",), "t_pk"),
        "foreign_key": ForeignKey("fk_t_ref", ("ref",), "other", ("id",), ref_schema=s, on_delete="SET NULL"),
        "check": Check("ck_t_qty", "qty >= 0 and name <> 'x'"),
    }[which]
    add, drop = {
        Index: (lambda: ops.CreateIndex(t, index=obj), lambda t2: ops.DropIndex(t2, index=obj)),
        PrimaryKey: (lambda: ops.AddPrimaryKey(t, primary_key=obj),
                     lambda t2: ops.DropPrimaryKey(t2, primary_key=obj)),
        ForeignKey: (lambda: ops.AddForeignKey(t, foreign_key=obj),
                     lambda t2: ops.DropForeignKey(t2, foreign_key=obj)),
        Check: (lambda: ops.AddCheck(t, check=obj), lambda t2: ops.DropCheck(t2, check=obj)),
    }[type(obj)]
    execute(url, [f"INSERT INTO {s}.other VALUES (1)",
                  f"INSERT INTO {s}.t (id, name, qty, ref) VALUES (1, 'a', 2, 1)"])
    op = add()
    applied(url, s, op)
    t2 = live_table(url, s, "t")
    back = drop(t2)
    applied(url, s, back)
    assert PG.render_rollback(op) == PG.render(ops.__dict__[type(back).__name__](op.apply(op.table),
                                                                                 **_payload(back)))


def _payload(op) -> dict:
    return {k: v for k, v in op.__dict__.items() if k != "table"}


def test_table_level_ops_apply(space):
    url, s = space
    t = make(url, s, BASE)
    applied(url, s, ops.SetTableComment(t, comment="it's a table"))
    t = live_table(url, s, "t")
    applied(url, s, ops.SetTableOptions(t, options=(("fillfactor", "70"), ("unlogged", "true"))))
    t = live_table(url, s, "t")
    assert dict(t.options) == {"fillfactor": "70", "unlogged": "true"}
    applied(url, s, ops.SetTableOptions(t, options=()))
    t = live_table(url, s, "t")
    run(url, ops.DropTable(t))
    assert introspect(url, [s]).table("t", s) is None


def test_create_table_with_everything_round_trips(space):
    url, s = space
    execute(url, [f"CREATE TABLE {s}.parent (id bigint PRIMARY KEY)",
                  f"CREATE TYPE {s}.mood AS ENUM ('a', 'b')"])
    table = Table("child", schema=s, columns=(
        Column("id", T("bigint"), nullable=False, identity=Identity("autoincrement")),
        Column("parent_id", T("bigint"), nullable=False),
        Column("mood", PG.parse_type(f"{s}.mood"), default=Default("'a'")),
        Column("at", T("timestamp with time zone"), nullable=False,
               default=Default("current_timestamp", "expression")),
        Column("twice", T("bigint"), generated=Generated("id * 2")),
    ), primary_key=PrimaryKey(("id",), "child_pkey"),
        foreign_keys=(ForeignKey("child_parent_fk", ("parent_id",), "parent", ("id",), ref_schema=s,
                                 on_delete="CASCADE", deferrable=True, initially_deferred=True),),
        indexes=(Index("ix_child_at", (IndexPart(column="at"),), include=("mood",)),))
    for statement in PG.render(ops.CreateTable(table)):
        execute(url, [statement])
    live = live_table(url, s, "child")
    assert_in_sync(Schema("postgresql", (live,)), Schema("postgresql", (table,)))


def test_enum_ops_apply(space):
    url, s = space
    mood = EnumType("mood", ("sad", "ok"), schema=s)
    run(url, ops.CreateEnum(None, enum=mood))
    run(url, ops.AddEnumValue(None, enum=mood, value="happy", after="ok"))
    three = replace(mood, values=("sad", "ok", "happy"))
    run(url, ops.AddEnumValue(None, enum=three, value="meh", after=None))
    assert introspect(url, [s]).enums == (EnumType("mood", ("meh", "sad", "ok", "happy"), s),)
    execute(url, [f"CREATE TABLE {s}.t (id int, m {s}.mood DEFAULT 'ok', ms {s}.mood[])",
                  f"INSERT INTO {s}.t VALUES (1, 'happy', ARRAY['ok'::{s}.mood])"])
    t = live_table(url, s, "t")
    after = EnumType("mood", ("happy", "ok", "sad"), schema=s)
    run(url, ops.ReplaceEnum(None, before=EnumType("mood", ("meh", "sad", "ok", "happy"), s), after=after,
                             usages=((t, t.column("m")), (t, t.column("ms")))))
    schema = introspect(url, [s])
    assert schema.enums == (after,)
    assert_in_sync(Schema("postgresql", (schema.table("t", s),)), Schema("postgresql", (t,)))
    run(url, ops.DropTable(t))
    run(url, ops.DropEnum(None, enum=after))
    assert introspect(url, [s]).enums == ()


def test_sync_trigger_and_backfills(space):
    url, s = space
    t = make(url, s, "CREATE TABLE {s}.t (id int PRIMARY KEY, \"old name\" text NOT NULL, x int)")
    new = Column("new name", T("text"))
    run(url, ops.AddColumn(t, column=new))
    t = live_table(url, s, "t")
    execute(url, [f"INSERT INTO {s}.t (id, \"old name\") VALUES (1, 'before')"])
    trigger = ops.CreateSyncTrigger(t, old=t.column("old name"), new=new)
    run(url, trigger)
    assert any(x.startswith("trigger ") for x in introspect(url, [s]).not_compared)
    execute(url, [f"INSERT INTO {s}.t (id, \"old name\") VALUES (2, 'old code')",
                  f"INSERT INTO {s}.t (id, \"new name\") VALUES (3, 'new code')",
                  f"UPDATE {s}.t SET \"old name\" = 'old update' WHERE id = 3"])
    batch = ops.CopyColumn(t, source=t.column("old name"), target=new, batch_size=2)
    assert PG.transactional(batch) is False and "COMMIT" in PG.render(batch)[0]
    run(url, batch)
    run(url, ops.FillColumn(t, column=t.column("x"), expr="id * 10"))
    assert rows(url, f"SELECT id, \"old name\", \"new name\", x FROM {s}.t ORDER BY id") == [
        (1, "before", "before", 10), (2, "old code", "old code", 20), (3, "old update", "old update", 30)]
    run(url, ops.DropSyncTrigger(t, old=t.column("old name"), new=new))
    left = introspect(url, [s]).not_compared
    assert not any(x.startswith(("trigger ", "function ")) for x in left), left


def rows(live: Live, query: str) -> list[tuple]:
    with live.raw.cursor() as cur:
        return [tuple(r) for r in cur.execute(query)]


def test_copy_rows(space):
    url, s = space
    src = make(url, s, "CREATE TABLE {s}.src (a int, b text)", "src")
    dst = make(url, s, "CREATE TABLE {s}.dst (x int, y text)", "dst")
    execute(url, [f"INSERT INTO {s}.src VALUES (1, 'one'), (2, 'two')"])
    run(url, ops.CopyRows(dst, source=src, columns=(("x", "a"), ("y", "b"))))
    assert rows(url, f"SELECT x, y FROM {s}.dst ORDER BY x") == [(1, "one"), (2, "two")]


def test_not_compared_objects(space):
    url, s = space
    execute(url, [f"CREATE TABLE {s}.t (id int PRIMARY KEY, at tstzrange)",
                  f"CREATE VIEW {s}.v AS SELECT id FROM {s}.t",
                  f"CREATE MATERIALIZED VIEW {s}.mv AS SELECT id FROM {s}.t",
                  f"CREATE SEQUENCE {s}.free_seq",
                  f"CREATE FUNCTION {s}.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                  f"CREATE DOMAIN {s}.posint AS int CHECK (VALUE > 0)",
                  f"ALTER TABLE {s}.t ADD CONSTRAINT no_overlap EXCLUDE USING gist (at WITH &&)",
                  f"CREATE TABLE {s}.p (d date) PARTITION BY RANGE (d)",
                  f"CREATE TABLE {s}.p1 PARTITION OF {s}.p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')"])
    schema = introspect(url, [s])
    assert set(schema.not_compared) >= {f"view {s}.v", f"materialized view {s}.mv", f"sequence {s}.free_seq",
                                        f"function {s}.f()", f"domain {s}.posint", f"partition {s}.p1"}
    assert sorted(t.name for t in schema.tables) == ["p", "t"]
    # an exclusion constraint is modelled (Table.exclusions), and its index is not a plain index
    assert not any(item.startswith("exclusion constraint") for item in schema.not_compared)
    assert [x.name for x in schema.table("t", s).exclusions] == ["no_overlap"]
    assert schema.table("t", s).indexes == ()
    assert dict(schema.table("p", s).options) == {"partition_by": "RANGE (d)"}


def test_schemas_filter_and_default_schema(pg_db):
    with contextlib.ExitStack():
        execute(pg_db, ["CREATE TABLE IF NOT EXISTS public.in_public (id int)"])
        schema = introspect(pg_db, ["public"])
        assert schema.table("in_public") is not None and schema.table("in_public").schema is None
        assert all(t.schema is None for t in schema.tables)
        execute(pg_db, ["DROP TABLE public.in_public"])


def test_hostile_enum_round_trip(space):
    url, s = space
    weird = EnumType('we"ird enüm', ("it's", "a b"), schema=s)
    run(url, ops.CreateEnum(None, enum=weird))
    run(url, ops.AddEnumValue(None, enum=weird, value='"q"', after="it's"))
    weird = replace(weird, values=("it's", '"q"', "a b"))
    column_type = PG.parse_type(f'{s}."we""ird enüm"')
    assert column_type.name == f'{s}.we"ird enüm'
    table = Table("uses", schema=s, columns=(
        Column("v", replace(column_type, raw=""), default=Default("'a b'")),
        Column("vs", replace(column_type, raw="", array_dims=1)),
    ))
    run(url, ops.CreateTable(table))
    schema = introspect(url, [s])
    assert schema.enums == (weird,)
    assert_in_sync(Schema("postgresql", (schema.table("uses", s),)), Schema("postgresql", (table,)))


def test_identity_and_generated_changes_apply(space):
    url, s = space
    t = make(url, s, "CREATE TABLE {s}.t (id int GENERATED ALWAYS AS IDENTITY (START WITH 5), "
                     "k int, twice int GENERATED ALWAYS AS (k * 2) STORED)")
    ident = t.column("id")
    assert ident.identity == Identity("always", 5)
    changed = replace(ident, identity=Identity("by_default", 10, 2))
    applied(url, s, ops.AlterColumn(t, before=ident, after=changed, what=frozenset({"identity"})))
    t = live_table(url, s, "t")
    twice = t.column("twice")
    applied(url, s, ops.AlterColumn(t, before=twice, after=replace(twice, generated=None),
                                    what=frozenset({"generated"})))
    with pytest.raises(PlanError):
        PG.render(ops.AlterColumn(t, before=twice, after=replace(twice, generated=Generated("k * 3")),
                                  what=frozenset({"generated"})))


def test_primary_key_on_nullable_column_apply(space):
    url, s = space
    t = make(url, s, "CREATE TABLE {s}.t (code text, n int)")
    execute(url, [f"INSERT INTO {s}.t VALUES ('a', 1)"])
    op = ops.AddPrimaryKey(t, primary_key=PrimaryKey(("code",), None))
    assert HazardKind.VALIDATION_SCAN in {h.kind for h in PG.hazards(op)}
    run(url, op)
    after = live_table(url, s, "t")
    assert after.primary_key == PrimaryKey(("code",), "t_pkey") and not after.column("code").nullable


ORACLE_CHECKS = [
    "price >= 0", "qty > 0 AND qty < 100", "status IN ('a', 'b')", "status NOT IN ('a')", "name <> ''",
    "length(name) > 2", "name LIKE 'a%'", "name ~ '^[a-z]+$'", "price BETWEEN 0 AND 100", "qty IS NOT NULL",
    "(qty > 0) OR (price > 0)", "NOT (qty > 0)", "qty * 2 > 10", "qty + 1 > price", "created < now()",
    "created > '2020-01-01'", "lower(name) = name", "qty % 2 = 0", "-qty < 0", "qty > -5", "price >= 0.5",
    "coalesce(qty, 0) >= 0", "name IS DISTINCT FROM 'x'", "tags @> ARRAY['a']", "flag = true", "flag",
    "NOT flag", "qty = ANY (ARRAY[1, 2])", "char_length(name) <= 10", "name::text <> 'x'",
    "upper(name) <> 'X' AND qty <> 3 OR flag", "qty IN (1, 2, 3)", "price > 1e3", "name ILIKE '%x%'",
    "CASE WHEN qty > 0 THEN true ELSE false END", "created::date > '2020-01-01'",
    "extract(year from created) > 2000", "qty IS NULL OR qty > 0", "\"Odd col\" >= 1",
]


def test_check_texts_normalize_like_the_server_prints_them(space):
    """The oracle: each CHECK as a model would write it, created on the server, read back."""
    url, s = space
    execute(url, [f"CREATE TABLE {s}.t (qty int, price numeric(10,2), name varchar(20), status text, "
                  f"created timestamp, tags text[], flag boolean, \"Odd col\" smallint)"]
             + [f"ALTER TABLE {s}.t ADD CONSTRAINT c{i:02d} CHECK ({e})"
                for i, e in enumerate(ORACLE_CHECKS)])
    live = {c.name: c.expr for c in live_table(url, s, "t").checks}
    wrong = {e: (PG.normalize_expr(e), live[f"c{i:02d}"]) for i, e in enumerate(ORACLE_CHECKS)
             if PG.normalize_expr(e) != live[f"c{i:02d}"]}
    assert wrong == {}


def test_partitioned_table_ops_apply(space):
    """No CONCURRENTLY, no NOT VALID foreign key, no USING INDEX on a partitioned table."""
    url, s = space
    execute(url, [f"CREATE TABLE {s}.r (id int PRIMARY KEY)",
                  f"CREATE TABLE {s}.t (id int NOT NULL, d date NOT NULL, x int) PARTITION BY RANGE (d)",
                  f"CREATE TABLE {s}.p1 PARTITION OF {s}.t FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')"])
    t = live_table(url, s, "t")
    plain = Index("ix_t_x", (IndexPart(column="x"),))
    unique = Index("uq_t", (IndexPart(column="id"), IndexPart(column="d")), unique=True, is_constraint=True)
    fk = ForeignKey("fk_t_r", ("id",), "r", ("id",), ref_schema=s)
    steps = [lambda t: ops.CreateIndex(t, index=plain), lambda t: ops.CreateIndex(t, index=unique),
             lambda t: ops.AddForeignKey(t, foreign_key=fk), lambda t: ops.DropIndex(t, index=plain),
             lambda t: ops.AddPrimaryKey(t, primary_key=PrimaryKey(("d", "id"), "t_pk"))]
    for make_op in steps:
        op = make_op(t)
        assert PG.transactional(op) and "CONCURRENTLY" not in " ".join(PG.render(op))
        applied(url, s, op)
        t = live_table(url, s, "t")


def test_new_schema_negative_identity_and_enum_to_enum(pg_db):
    schema = "n_" + uuid.uuid4().hex[:8]
    try:
        old, new = EnumType("old_e", ("a", "b"), schema), EnumType("new_e", ("a", "b", "c"), schema)
        run(pg_db, ops.CreateEnum(None, enum=old))
        run(pg_db, ops.CreateEnum(None, enum=new))
        table = Table("t", schema=schema, columns=(
            Column("id", T("smallint"), nullable=False, identity=Identity("by_default", -100)),
            Column("e", PG.parse_type(f"{schema}.old_e"))))
        run(pg_db, ops.CreateTable(table))
        live = live_table(pg_db, schema, "t")
        assert_in_sync(Schema("postgresql", (live,)), Schema("postgresql", (table,)))
        execute(pg_db, [f"INSERT INTO {schema}.t (e) VALUES ('b')"])
        e = live.column("e")
        retyped = replace(e, type=PG.parse_type(f"{schema}.new_e"))
        applied(pg_db, schema, ops.AlterColumn(live, before=e, after=retyped, what=frozenset({"type"})))
    finally:
        execute(pg_db, [f"DROP SCHEMA IF EXISTS {schema} CASCADE"])


def test_unmodelled_dependents_are_introspected_and_block_only_their_steps():
    """A view over a column, a policy that reads one, a view holding a name: introspection lists
    them as dependents, and the plan leaves exactly the steps they block to a human."""
    from schemadrift import compare, plan
    from schemadrift.verify import apply_steps
    base = ["CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int)",
            "CREATE VIEW v AS SELECT id, a FROM t", "CREATE VIEW data AS SELECT 1 AS x",
            "ALTER TABLE t ENABLE ROW LEVEL SECURITY", "CREATE POLICY p ON t USING (b > 0)"]
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        conftest.execute(a, base)
        conftest.execute(b, ["CREATE TABLE t (id int PRIMARY KEY, a bigint, c bigint)",
                             "CREATE TABLE data (x int)"])
        d = compare(a, b)
        deps = {(x.kind, x.name, x.column, x.object, x.on_self) for x in d.from_schema.dependents}
        assert {("table", "t", "a", "view public.v", False), ("table", "t", "id", "view public.v", False),
                ("table", "t", "b", "policy p on table t", True),
                ("relation", "data", None, "view data", False)} <= deps
        p = plan(d)
        blocked = sorted(s.summary for s in p.steps if s.manual)
        assert blocked == ["change the type of t.a from integer to bigint", "create table data",
                           "drop column t.b"], p.to_sql()
        assert apply_steps(a, p.steps)[2] is None
        left = compare(a, b)
        assert sorted(c.kind for c in left.changes) == ["add_table", "alter_column", "drop_column"]


# -- identity sequence options -------------------------------------------------------------------
def _identity_row(type_raw: str, **seq) -> dict:
    """A columns.sql row of an identity column, with pg_sequence's values."""
    return {"name": "id", "type": type_raw, "not_null": True, "default_expr": None, "identity": "d",
            "generated": "", "owned_default": None, "collation": None, "comment": None,
            **{f"identity_{k}": v for k, v in seq.items()}}


@pytest.mark.parametrize("type_raw, seq, expected", [
    ("integer", dict(start=1, increment=1, min=1, max=2**31 - 1, cycle=False, cache=1),
     Identity("by_default")),
    ("smallint", dict(start=1, increment=1, min=1, max=32767, cycle=False, cache=1), Identity("by_default")),
    ("bigint", dict(start=3, increment=4, min=2, max=9, cycle=True, cache=5),
     Identity("by_default", 3, 4, minvalue=2, maxvalue=9, cycle=True, cache=5)),
    ("integer", dict(start=5, increment=1, min=5, max=2**31 - 1, cycle=False, cache=1),
     Identity("by_default", minvalue=5)),
    ("bigint", dict(start=-1, increment=-1, min=-2**63, max=-1, cycle=False, cache=1),
     Identity("by_default", increment=-1)),
    ("smallint", dict(start=-100, increment=1, min=-100, max=32767, cycle=False, cache=1),
     Identity("by_default", -100)),
])
def test_identity_options_from_catalog_rows_keep_only_non_defaults(type_raw, seq, expected):
    assert PG._column(_identity_row(type_raw, **seq)).identity == expected


@pytest.mark.parametrize("model, expected", [
    (Identity("always", 1, 1, minvalue=1, maxvalue=2**31 - 1, cache=1), Identity("always")),
    (Identity("always", minvalue=-100), Identity("always", -100)),
    (Identity("always", increment=-2, start=-1, maxvalue=-1), Identity("always", increment=-2)),
    (Identity("always", maxvalue=90, cycle=True), Identity("always", maxvalue=90, cycle=True)),
])
def test_identity_options_normalize_to_the_catalog_form(model, expected):
    table = Table("t", columns=(Column("id", T("integer"), nullable=False, identity=model),))
    assert PG.normalize(Schema("postgresql", (table,))).tables[0].columns[0].identity == expected


def test_narrowed_identity_bounds_widen_clamp_then_narrow():
    """A START beyond the old bounds and a current value beyond the new ones: every option but
    the narrowed bounds first (with the union of both), the current value clamped, bounds last."""
    old = Column("id", T("bigint"), nullable=False,
                 identity=Identity("always", 30, 40, minvalue=1, maxvalue=90, cycle=True, cache=50))
    new = replace(old, identity=Identity("by_default", 3, 4, minvalue=2, maxvalue=9, cache=5))
    t = Table("t", columns=(old,))
    sql = PG.render(ops.AlterColumn(t, before=old, after=new, what=frozenset({"identity"})))
    assert sql[0] == ('ALTER TABLE "t" ALTER COLUMN "id" SET GENERATED BY DEFAULT SET START WITH 3 '
                      'SET INCREMENT BY 4 SET CACHE 5 SET NO CYCLE')
    clamp = "GREATEST(LEAST(COALESCE(pg_sequence_last_value(s.seq), 3), 9), 2)"
    assert sql[1].startswith("SELECT setval(") and clamp in sql[1]
    assert sql[2] == 'ALTER TABLE "t" ALTER COLUMN "id" SET MINVALUE 2 SET MAXVALUE 9'
    widened = PG.render(ops.AlterColumn(t, before=new, after=old, what=frozenset({"identity"})))
    assert widened == ['ALTER TABLE "t" ALTER COLUMN "id" SET GENERATED ALWAYS SET NO MINVALUE '
                       'SET MAXVALUE 90 SET START WITH 30 SET INCREMENT BY 40 SET CACHE 50 SET CYCLE']


def test_identity_options_introspect_and_apply(space):
    url, s = space
    t = make(url, s, "CREATE TABLE {s}.t (id bigint GENERATED ALWAYS AS IDENTITY (MINVALUE 1 MAXVALUE 90 "
                     "START 30 INCREMENT 40 CACHE 50 CYCLE), k int)")
    ident = t.column("id")
    assert ident.identity == Identity("always", 30, 40, maxvalue=90, cycle=True, cache=50)
    execute(url, [f"INSERT INTO {s}.t (k) VALUES (1), (2)"])  # the sequence now stands at 70+
    narrowed = replace(ident, identity=Identity("by_default", 3, 4, minvalue=2, maxvalue=9, cache=5))
    applied(url, s, ops.AlterColumn(t, before=ident, after=narrowed, what=frozenset({"identity"})))
    t = live_table(url, s, "t")
    applied(url, s, ops.AlterColumn(t, before=t.column("id"), after=ident, what=frozenset({"identity"})))


def test_models_with_identity_options_match_the_database(home):
    md = sa.MetaData()
    sa.Table("seqs", md,
             sa.Column("a", sa.Integer, sa.Identity(minvalue=5, maxvalue=500, cycle=True, cache=3)),
             sa.Column("b", sa.SmallInteger, sa.Identity(always=True, start=-5, minvalue=-5)),
             sa.Column("c", sa.BigInteger, sa.Identity(increment=-1)))
    md.create_all(home.engine)
    live = introspect(home)
    assert_in_sync(live, load_metadata(md, PG))
    assert live.table("seqs").column("a").identity == Identity("by_default", minvalue=5, maxvalue=500,
                                                                 cycle=True, cache=3)
    assert live.table("seqs").column("b").identity == Identity("always", -5)


# -- type conversions (converts_type) -------------------------------------------------------------
def test_converts_type_knows_the_casts_postgresql_has_and_lacks():
    """A few pairs by hand: the ones the planner must not cast, and the ones it may."""
    assert not PG.converts_type(T("bigint"), T("timestamp"))
    assert not PG.converts_type(T("timestamp"), T("bigint"))
    assert not PG.converts_type(T("boolean"), T("bigint")) and PG.converts_type(T("boolean"), T("integer"))
    assert not PG.converts_type(T("integer"), T("interval")) and not PG.converts_type(T("date"), T("time"))
    assert not PG.converts_type(T("uuid"), T("bytea")) and not PG.converts_type(T("integer"), T("jsonb"))
    assert PG.converts_type(T("text"), T("timestamp")) and PG.converts_type(T("uuid"), T("varchar(40)"))
    assert PG.converts_type(T("integer"), T("numeric(10,2)")) and PG.converts_type(T("jsonb"), T("bigint"))
    assert PG.converts_type(T("bigint"), T("my_enum")) and PG.converts_type(T("bigint[]"), T("text[]"))
    for name in ("sqlite", "mysql", "mariadb"):  # MODIFY / the table rebuild convert any value
        d = dialects.get(name)
        assert d.converts_type(d.parse_type("bigint"), d.parse_type("datetime"))


def test_converts_type_matches_the_server_for_every_pair_it_knows(pg_db):
    """The CASTS table against the live server: ``CAST(NULL::a AS b)`` parses exactly where the
    hook says the server has a conversion."""
    from schemadrift.dialects.postgresql import CASTS
    names = sorted(CASTS) + ["text", "varchar", "char"]
    wrong = []
    engine = sa.create_engine(pg_db.url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as c:
        for a, b in ((ColumnType(a), ColumnType(b)) for a in names for b in names):
            try:
                c.exec_driver_sql(f"SELECT CAST(NULL::{PG.type_sql(a)} AS {PG.type_sql(b)})")
                casts = True
            except sa.exc.DBAPIError:
                casts = False
            if casts != PG.converts_type(a, b):
                wrong.append((a.name, b.name, casts))
    engine.dispose()
    assert wrong == []
