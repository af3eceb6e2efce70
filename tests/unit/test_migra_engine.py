"""``compare --engine migra`` shows migra's statements only for objects the IR does not model."""
from schemadrift.migra_engine import unmodelled


def test_statements_about_modelled_objects_are_left_to_our_own_report():
    stmts = [
        'alter table "public"."t" add column "b" integer',
        'create table "public"."u" ("id" integer not null)',
        'CREATE UNIQUE INDEX ux ON public.u USING btree (id)',
        'drop index if exists "public"."ix"',
        'create type "public"."mood" as enum (\'a\', \'b\')',
        'comment on column "public"."t"."b" is \'x\'',
    ]
    assert unmodelled(stmts) == []


def test_views_functions_triggers_sequences_and_grants_are_shown():
    stmts = [
        'create or replace view "public"."v" as  SELECT 1 AS x',
        'CREATE OR REPLACE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $$ select 1 $$',
        'CREATE TRIGGER trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f()',
        'create sequence "public"."s"',
        'grant select on table "public"."t" to "reader"',
        'create extension if not exists "citext" with schema "public"',
    ]
    assert unmodelled(stmts) == stmts
