"""Reports of a Diff (text, JSON, Markdown): no database, hand-built IR, the generic differ."""
from __future__ import annotations

import io
import json
import re

import pytest

import schemadrift
from schemadrift import output
from schemadrift.ir import (
    Check,
    Column,
    ColumnType,
    Default,
    EnumType,
    ForeignKey,
    Identity,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)

INT = ColumnType("integer", raw="integer")
HOSTILE = 'we"ird `tbl` ü'


def varchar(n: int) -> ColumnType:
    return ColumnType("varchar", (n,), raw=f"varchar({n})")


def _from() -> Schema:
    return Schema(None, tables=(
        Table("users", (Column("id", INT, False), Column("name", varchar(100)), Column("old", INT)),
              PrimaryKey(("id",))),
        Table("orders", (Column("id", INT),)),
    ), enums=(EnumType("mood", ("sad", "ok")),))


def _to() -> Schema:
    return Schema(None, tables=(
        Table("users", (Column("id", INT, False), Column("name", varchar(200), False, Default("'x'")),
                        Column("new", INT)), PrimaryKey(("id",)),
              indexes=(Index("ix_users_name", (IndexPart("name", descending=True),)),),
              checks=(Check("ck_name", "name <> ''"),)),
        Table(HOSTILE, (Column("id", INT), Column("x", INT))),
        Table("audit", (Column("id", INT),), schema="ops",
              foreign_keys=(ForeignKey("fk_audit_user", ("id",), "users", ("id",), on_delete="CASCADE"),)),
    ), enums=(EnumType("mood", ("sad", "ok", "happy")),))


@pytest.fixture
def d():
    return schemadrift.diff(_from(), _to())


def test_text_starts_with_the_summary_line(d):
    text = output.diff_text(d)
    assert text.splitlines()[0] == d.summary()
    assert "tables added" in text.splitlines()[0]


def test_text_groups_changes_under_their_table_with_markers(d):
    lines = output.diff_text(d).splitlines()
    users = lines.index("~ users")
    block = lines[users + 1:lines.index("", users)]
    assert block == [
        "    + column new integer",
        "    ~ column name: type varchar(100) → varchar(200); nullable NULL → NOT NULL; default (none) → 'x'",
        "    - column old integer",
        "    + index ix_users_name (name DESC)",
        "    + check ck_name (name <> '')",
    ]
    assert "- orders  (dropped table: 1 column)" in lines
    assert "+ ops.audit  (new table: 1 column, 1 foreign key)" in lines


def test_text_schema_level_changes_and_enum_values(d):
    text = output.diff_text(d)
    assert "~ schema-level objects" in text
    assert "~ enum type mood: values ('sad', 'ok') → ('sad', 'ok', 'happy')" in text


def test_text_quotes_hostile_names_so_they_stay_readable(d):
    text = output.diff_text(d)
    assert '+ "we""ird `tbl` ü"  (new table: 2 columns)' in text


def test_text_lists_rename_candidates_with_the_option_to_confirm(d):
    text = output.diff_text(d)
    assert "Possible renames" in text
    assert "column users.old → new" in text
    assert "--rename users.old=new" in text
    # a hostile target name is shell-quoted in the hint
    assert "--rename 'orders=we\"ird `tbl` ü'" not in text  # different column count: no candidate
    hostile = schemadrift.diff(Schema(None, tables=(Table("a b", (Column("id", INT),)),)),
                               Schema(None, tables=(Table("c'd", (Column("id", INT),)),)))
    assert "--rename 'a b=c'\"'\"'d'" in output.diff_text(hostile)


def test_text_lists_not_compared_objects_last():
    a = Schema(None, tables=(Table("t", (Column("id", INT),)),), not_compared=("view public.v",))
    b = Schema(None, tables=(Table("t", (Column("id", INT), Column("n", INT))),))
    lines = output.diff_text(schemadrift.diff(a, b)).splitlines()
    assert lines[-2].startswith("Not compared")
    assert lines[-1] == "    view public.v"


def test_in_sync_text_is_one_line():
    s = _from()
    assert output.diff_text(schemadrift.diff(s, s)) == "In sync: no differences.\n"


def test_colors_only_when_asked(d):
    assert "\x1b[" not in output.diff_text(d, color=False)
    colored = output.diff_text(d, color=True)
    assert "\x1b[32m" in colored and "\x1b[31m" in colored and "\x1b[33m" in colored
    assert re.sub(r"\x1b\[\d+m", "", colored) == output.diff_text(d)


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_use_color_needs_a_tty_and_no_NO_COLOR(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert output.use_color(_Stream(True))
    assert not output.use_color(_Stream(False))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not output.use_color(_Stream(True))


def test_json_is_the_contract_object(d):
    data = json.loads(output.diff_json(d))
    assert data["format"] == "schemadrift-diff/1"
    assert data["in_sync"] is False
    assert data == json.loads(json.dumps(d.to_dict()))
    kinds = {(c["kind"], c["table"], c["name"]) for c in data["changes"]}
    assert ("add_column", "users", "new") in kinds
    assert ("alter_enum", None, "mood") in kinds
    assert ("add_table", HOSTILE, HOSTILE) in kinds


def test_markdown_report(d):
    md = output.diff_markdown(d)
    assert md.startswith("### schemadrift: schema drift\n\n**")
    assert "#### Changed table `users`" in md
    assert "- **changed** column `name`: type `varchar(100)` → `varchar(200)`" in md
    assert "- **added** index `ix_users_name` `(name DESC)`" in md
    assert "#### Schema-level objects" in md
    assert "#### Added table ``\"we\"\"ird `tbl` ü\"`` (2 columns)" in md


def test_markdown_in_sync():
    s = _from()
    assert output.diff_markdown(schemadrift.diff(s, s)).startswith("### schemadrift: in sync")


@pytest.mark.parametrize("text, expected", [
    ("plain", "`plain`"),
    ("a`b", "``a`b``"),
    ("`x`", "`` `x` ``"),
    ("two\nlines", "`two lines`"),
])
def test_code_span_survives_backticks(text, expected):
    assert output.code(text) == expected


@pytest.mark.parametrize("name, shown", [
    ("users", "users"), ("with space", '"with space"'), ('q"uote', '"q""uote"'),
    ("ünï", '"ünï"'), ("new\nline", '"new\\nline"'), (None, "(unnamed)"),
])
def test_shown_name(name, shown):
    assert output.shown_name(name) == shown


def test_render_diff_rejects_an_unknown_format(d):
    with pytest.raises(ValueError):
        output.render_diff(d, "yaml")


def test_every_alter_kind_says_which_attributes_changed():
    ta = Table("t", (Column("id", INT, False), Column("a", INT), Column("b", INT)),
               PrimaryKey(("id",), "pk_t"), indexes=(Index("ix", (IndexPart("a"),)),),
               foreign_keys=(ForeignKey("fk", ("a",), "u", ("id",)),), checks=(Check("ck", "a > 0"),),
               comment="old", options=(("engine", "InnoDB"),))
    tb = Table("t", (Column("id", INT, False), Column("a", INT, comment="hi", collation="C"),
                     Column("b", INT, identity=Identity("by_default", 1, 1))),
               PrimaryKey(("id", "a"), "pk_t"),
               indexes=(Index("ix", (IndexPart("a", descending=True, nulls="last"),
                                     IndexPart(expr="lower(b)")),
                              predicate="a > 1"),),
               foreign_keys=(ForeignKey("fk", ("a",), "u", ("id",), on_delete="CASCADE"),),
               checks=(Check("ck", "a > 1"),), options=(("engine", "MyISAM"),))
    text = output.diff_text(schemadrift.diff(Schema(None, (ta,)), Schema(None, (tb,))))
    for expected in (
        "    ~ table: comment 'old' → (none); options engine=InnoDB → engine=MyISAM",
        "    ~ column a: collation (none) → C; comment (none) → 'hi'",
        "    ~ column b: identity (none) → by default start 1 increment 1",
        "    ~ primary key pk_t: columns (id) → (id, a)",
        "    ~ index ix: parts (a) → (a DESC NULLS LAST, (lower(b))); predicate (none) → a > 1",
        "    ~ check ck: expr a > 0 → a > 1",
        "    ~ foreign key fk: on_delete NO ACTION → CASCADE",
    ):
        assert expected in text.splitlines(), (expected, text)
