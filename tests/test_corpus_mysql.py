"""Real public MySQL schemas (fixtures/corpus/*-mysql): load each into two scratch MariaDB
databases, then introspection must agree with itself (in sync, byte-identical snapshots, snapshot
round trip) and list what the IR does not model (views, triggers, routines, partitioning)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import execute, scratch_database, split_sql

from schemadrift import snapshot
from schemadrift.differ import diff
from schemadrift.sources import load

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"

#: case → (files loaded in order, objects that must be listed as not compared)
CASES = {
    "chinook": (["chinook-mysql/Chinook_MySql-schema.sql"], []),
    "roundcube": (["roundcube-mysql/mysql.initial.sql"], []),
    "powerdns": (["powerdns-mysql/schema.mysql.sql"], []),
    "sakila": (["sakila-mysql/sakila-schema.sql"],
               ["view actor_info", "view customer_list", "trigger ins_film on film",
                "trigger del_film on film", "procedure rewards_report", "function get_customer_balance"]),
    "employees": (["employees-mysql/employees.sql", "employees-mysql/objects.sql"],
                  ["view current_dept_emp", "view dept_emp_latest_date", "function emp_dept_id",
                   "procedure show_departments"]),
    "employees_partitioned": (["employees-mysql/employees_partitioned.sql"],
                              ["partitioning salaries", "partitioning titles", "view current_dept_emp"]),
}

#: base tables each schema has (the counts its SOURCE.md reports for MariaDB 10.11)
TABLES = {"chinook": 11, "roundcube": 18, "powerdns": 7, "sakila": 16, "employees": 6,
          "employees_partitioned": 6}

_PREAMBLE = re.compile(r"^\s*(DROP\s+(DATABASE|SCHEMA)|CREATE\s+(DATABASE|SCHEMA)|USE\s)", re.I)


def script_statements(text: str) -> list[str]:
    """Statements of a mysql-client script: ``DELIMITER`` blocks honoured, database preamble
    (DROP/CREATE DATABASE, USE) left out, ``sakila.`` qualifiers stripped."""
    out: list[str] = []
    delimiter, chunk = ";", []
    for line in text.splitlines(keepends=True):
        m = re.match(r"^\s*delimiter\s+(\S+)\s*$", line, re.I)
        if m:
            out += _split(delimiter, "".join(chunk))
            delimiter, chunk = m.group(1), []
        else:
            chunk.append(line)
    out += _split(delimiter, "".join(chunk))
    return [s.replace("sakila.", "") for s in out if not _PREAMBLE.match(s)]


def _split(delimiter: str, text: str) -> list[str]:
    if delimiter == ";":
        return split_sql(text)
    return [s.strip() for s in text.split(delimiter) if s.strip()]


def load_case(url: str, case: str) -> None:
    for name in CASES[case][0]:
        execute(url, script_statements((CORPUS / name).read_text(encoding="utf-8")))


def test_script_statements_honours_delimiter_blocks():
    script = ("USE x;\nCREATE TABLE a (id int);\nDELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; "
              "SELECT 2; END //\nDELIMITER ;\nSELECT * FROM sakila.a;\n")
    assert script_statements(script) == ["CREATE TABLE a (id int)",
                                         "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END",
                                         "SELECT * FROM a"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_corpus_introspects_consistently(case):
    with scratch_database("mariadb") as url_a, scratch_database("mariadb") as url_b:
        load_case(url_a, case)
        load_case(url_b, case)
        a, a_again, b = load(url_a), load(url_a), load(url_b)
    assert len(a.tables) == TABLES[case], f"{case}: {len(a.tables)} tables introspected"
    assert sum(len(t.columns) for t in a.tables) > 2 * len(a.tables)
    d = diff(a, b)
    assert d.in_sync, f"{case}: two loads of the same DDL differ: {[str(c) for c in d]}"
    assert a == b
    assert snapshot.to_json(a) == snapshot.to_json(a_again)
    assert snapshot.from_json(snapshot.to_json(a)) == a
    assert diff(snapshot.from_json(snapshot.to_json(a)), a).in_sync
    for expected in CASES[case][1]:
        assert expected in a.not_compared, f"{case}: {expected!r} missing from {a.not_compared}"
    assert not {t.name for t in a.tables} & {n.split()[1] for n in a.not_compared if n.startswith("view ")}
