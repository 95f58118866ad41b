"""The SQLite and the PostgreSQL schema agree.

The schema is written twice, as numbered migrations per database.  These tests build a
database of each kind at the latest schema, read back what each database says it holds
(SQLite's `sqlite_master` and pragmas, PostgreSQL's catalog) and compare the two in a
small common vocabulary, so that neither migration set can drift from the other:

- tables; columns by type class (`INTEGER`/`BIGINT` are both *integer*, `TEXT` and
  `VARCHAR` are *text*, …) and nullability; defaults; text collations (SQLite's `BINARY`
  and PostgreSQL's `"C"` both compare bytes); keys the database numbers by itself;
- primary keys, unique keys (constraints or whole-table unique indexes), foreign keys,
  check constraints (expressions compared as normalised tokens: casts, brackets and
  parentheses dropped, `= ANY (ARRAY[…])` and `c = 'a' OR c = 'b' …` read as `IN (…)`),
  other indexes by their columns and predicate;
- triggers by what they protect, not by how: each trigger is "table: no EVENT" when it
  refuses the event outright and "table: EVENT checked" otherwise, whether it is a
  SQLite trigger, a PostgreSQL row, statement or deferred constraint trigger, before or
  after.  SQLite has no `TRUNCATE`; PostgreSQL must refuse it wherever it refuses `DELETE`.

A difference that is meant is listed, with its reason, in `DELIBERATE`; every other
difference fails, and the message names the table and column.  Temporary tables do not
count.  See docs/decisions/0008-schema-source.md.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import psycopg
import pytest

from pg_server import TemporaryPostgres
from urpaq.bootstrap import open_unit_of_work

SQLITE = "SQLite"
POSTGRES = "PostgreSQL"

_ROWID = (
    "an INTEGER PRIMARY KEY is SQLite's rowid, which SQLite numbers when an insert leaves it "
    "out; urpaq always gives this key (MAX + 1 under the writer lock, decision 0005)"
)
_REFERENCES = (
    "PostgreSQL checks these references once per insert statement by trigger, not per row "
    "by foreign key, because imports and closes add millions of rows (decision 0005)"
)

#: Every difference that is meant: (the one database that has it, what it has) → why.
DELIBERATE: dict[tuple[str, str], str] = {
    (POSTGRES, "column journal_entry.written_by integer NOT NULL"): (
        "PostgreSQL writes an entry before its postings and lets only the entry's own "
        "transaction add them; SQLite writes the entry after its postings, sealing them"
    ),
    (SQLITE, "default person.birth_year 0"): (
        "SQLite cannot add a NOT NULL column without a default (migration 0002); "
        "PostgreSQL filled the column and then set NOT NULL"
    ),
    (SQLITE, "foreign key register_record (person_id) -> person (person_id)"): _REFERENCES,
    (SQLITE, "foreign key register_record (batch_id) -> import_batch (batch_id)"): _REFERENCES,
    (SQLITE, "foreign key posting (person_id) -> person (person_id)"): _REFERENCES,
    (POSTGRES, "trigger register_record: INSERT checked"): (
        "the statement-level check of register_record's references to person and "
        "import_batch, which SQLite checks by foreign key"
    ),
    (SQLITE, "numbered import_batch.batch_id"): _ROWID,
    (SQLITE, "numbered year_parameters.year"): _ROWID,
    (SQLITE, "numbered year_close.year"): _ROWID,
    (SQLITE, "numbered journal_entry.entry_id"): _ROWID,
}


@dataclass
class Schema:
    """What one database holds, as facts in the common vocabulary, by aspect."""

    database: str
    facts: dict[str, set[str]] = field(default_factory=dict)

    def add(self, aspect: str, fact: str) -> None:
        self.facts.setdefault(aspect, set()).add(fact)

    def __getitem__(self, aspect: str) -> set[str]:
        return self.facts.get(aspect, set())


# --- reading SQL text ----------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<skip>\s+|--[^\n]*|/\*.*?\*/)
      | (?P<string>'(?:[^']|'')*')
      | (?P<quoted>"(?:[^"]|"")*"|`[^`]*`)
      | (?P<number>\d+(?:\.\d*)?)
      | (?P<word>[A-Za-z_][\w$]*)
      | (?P<op><>|!=|>=|<=|==|\|\||::|\S)""",
    re.VERBOSE | re.DOTALL,
)


def tokens(sql: str) -> list[str]:
    """SQL text as tokens: words and quoted names in lower case, strings as written."""
    found = []
    for match in _TOKEN.finditer(sql):
        kind, text = match.lastgroup, match.group()
        if kind == "skip":
            continue
        if kind == "word":
            text = text.lower()
        elif kind == "quoted":
            text = text[1:-1].replace('""', '"').lower()
        found.append(text)
    return found


def expression(text: str | list[str]) -> str:
    """An expression in a form both databases' renderings of it share."""
    words = tokens(text) if isinstance(text, str) else text
    out: list[str] = []
    skip_type = False
    for word in words:
        if skip_type:  # the type name of a PostgreSQL cast: 'x'::text, ::character varying
            skip_type = word in {"character", "double"}
            continue
        if word == "::":
            skip_type = True
        elif word in {"(", ")", "[", "]", "array"}:
            continue
        elif word == "any" and out and out[-1] == "=":
            out[-1] = "in"
        else:
            out.append({"<>": "!=", "==": "="}.get(word, word))
    return _as_in(" ".join(out))


#: `c = 'a' or c = 'b' …`: one column compared with several constants.
_EQUALITIES = re.compile(r"^(\w+) = ('[^']*')((?: or \1 = '[^']*')+)$")


def _as_in(text: str) -> str:
    """An expression that only says a column equals one of several constants, as `IN`."""
    match = _EQUALITIES.match(text)
    if match is None:
        return text
    column = match.group(1)
    values = [match.group(2), *re.findall(rf" or {column} = ('[^']*')", match.group(3))]
    return f"{column} in {' , '.join(values)}"


def parenthesised(words: list[str], start: int) -> tuple[list[str], int]:
    """The tokens inside the parentheses opening at `words[start]`, and the index after."""
    depth = 0
    for index in range(start, len(words)):
        depth += {"(": 1, ")": -1}.get(words[index], 0)
        if depth == 0:
            return words[start + 1 : index], index + 1
    raise ValueError(f"unbalanced parentheses in {' '.join(words)}")


def table_items(create_table: str) -> list[list[str]]:
    """The column definitions and table constraints of a CREATE TABLE statement."""
    words = tokens(create_table)
    body, _ = parenthesised(words, words.index("("))
    items: list[list[str]] = [[]]
    depth = 0
    for word in body:
        depth += {"(": 1, ")": -1}.get(word, 0)
        if word == "," and depth == 0:
            items.append([])
        else:
            items[-1].append(word)
    return items


def type_class(declared: str) -> str:
    """A declared type in the common vocabulary (SQLite's own affinity rules)."""
    name = declared.upper()
    if "INT" in name:
        return "integer"
    if any(part in name for part in ("CHAR", "CLOB", "TEXT")):
        return "text"
    if "BLOB" in name or "BYTEA" in name or not name:
        return "blob"
    if any(part in name for part in ("REAL", "FLOA", "DOUB")):
        return "real"
    if "BOOL" in name:
        return "boolean"
    if any(part in name for part in ("DATE", "TIME")):
        return name.lower()
    return "numeric"


def collation(name: str) -> str:
    """SQLite's BINARY and PostgreSQL's "C" and "POSIX" all compare bytes."""
    if name.lower() in {"binary", "c", "posix"}:
        return "binary"
    if name == "default":
        return "the database's default"
    return name.lower()


def column_list(columns: list[str]) -> str:
    return "(" + ", ".join(columns) + ")"


def column_fact(table: str, column: str, type_: str, not_null: bool) -> str:
    return f"column {table}.{column} {type_} {'NOT NULL' if not_null else 'NULL'}"


def foreign_key_fact(
    table: str, columns: list[str], target: str, targets: list[str], on_update: str, on_delete: str
) -> str:
    fact = f"foreign key {table} {column_list(columns)} -> {target} {column_list(targets)}"
    for event, action in (("UPDATE", on_update), ("DELETE", on_delete)):
        if action != "NO ACTION":
            fact += f" ON {event} {action}"
    return fact


def index_fact(table: str, columns: list[str], unique: bool, predicate: str | None) -> str:
    fact = f"{'unique index' if unique else 'index'} {table} {column_list(columns)}"
    return fact + (f" WHERE {predicate}" if predicate else "")


def trigger_fact(table: str, event: str, refuses: bool) -> str:
    return f"trigger {table}: no {event}" if refuses else f"trigger {table}: {event} checked"


# --- SQLite --------------------------------------------------------------------------


def sqlite_schema(connection: sqlite3.Connection) -> Schema:
    """The schema of a SQLite database's main file (temporary tables are elsewhere)."""
    schema = Schema(SQLITE)
    objects = connection.execute(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name, _table, sql in objects:
        if kind == "table":
            sqlite_table(connection, schema, name, sql)
    for kind, _name, table, sql in objects:
        if kind == "trigger":
            sqlite_trigger(schema, table, sql)
    return schema


def sqlite_table(connection: sqlite3.Connection, schema: Schema, table: str, sql: str) -> None:
    schema.add("tables", f"table {table}")
    collations: dict[str, str] = {}
    for item in table_items(sql):
        if item[0] not in {"constraint", "primary", "unique", "check", "foreign"}:
            collations[item[0]] = item[item.index("collate") + 1] if "collate" in item else "binary"
        for index, word in enumerate(item):
            if word == "check":
                inside, _ = parenthesised(item, index + 1)
                schema.add("checks", f"check {table}: {expression(inside)}")

    info = connection.execute(f'PRAGMA main.table_info("{table}")').fetchall()
    key = [name for _, name, *_ in sorted((row for row in info if row[5]), key=lambda r: r[5])]
    has_rowid = not re.search(r"\bWITHOUT\s+ROWID\b", sql.rsplit(")", 1)[-1], re.IGNORECASE)
    rowid_alias = has_rowid and len(key) == 1 and _declared(info, key[0]).upper() == "INTEGER"
    if key:
        schema.add("primary keys", f"primary key {table} {column_list(key)}")
    for _, name, declared, not_null, default, in_key in info:
        type_ = type_class(declared)
        # A primary key never holds NULL only if it is the rowid or the table has none.
        never_null = bool(not_null) or (bool(in_key) and (rowid_alias or not has_rowid))
        schema.add("columns", column_fact(table, name, type_, never_null))
        if default is not None:
            schema.add("defaults", f"default {table}.{name} {expression(default)}")
        if type_ == "text":
            declared_collation = collations[name.lower()]
            schema.add("collations", f"collation {table}.{name} {collation(declared_collation)}")
        if rowid_alias and name == key[0]:
            schema.add("numbered", f"numbered {table}.{name}")

    foreign_keys: dict[int, list[tuple[str, ...]]] = {}
    for row in connection.execute(f'PRAGMA main.foreign_key_list("{table}")'):
        foreign_keys.setdefault(row[0], []).append(row)
    for rows in foreign_keys.values():
        rows.sort(key=lambda r: r[1])
        target = rows[0][2]
        targets = [r[4] for r in rows]
        if None in targets:  # REFERENCES t without columns: t's primary key
            targets = sqlite_primary_key(connection, target)
        schema.add(
            "foreign keys",
            foreign_key_fact(table, [r[3] for r in rows], target, targets, rows[0][5], rows[0][6]),
        )

    for _, index, unique, origin, partial in connection.execute(
        f'PRAGMA main.index_list("{table}")'
    ):
        if origin == "pk":
            continue
        columns = []
        for row in connection.execute(f'PRAGMA main.index_xinfo("{index}")'):
            if row[5]:  # a key column, not the rowid or primary key the index carries
                name = row[2] if row[2] is not None else "<expression>"
                columns.append(name + (" DESC" if row[3] else ""))
        if unique and not partial:
            schema.add("unique keys", f"unique {table} {column_list(columns)}")
            continue
        predicate = None
        if partial:
            (create_index,) = connection.execute(
                "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND name = ?", (index,)
            ).fetchone()
            words = tokens(create_index)
            predicate = expression(words[words.index("where") + 1 :])
        schema.add("indexes", index_fact(table, columns, bool(unique), predicate))


def _declared(info: list[tuple[object, ...]], column: str) -> str:
    return next(str(row[2]) for row in info if row[1] == column)


def sqlite_primary_key(connection: sqlite3.Connection, table: str) -> list[str]:
    info = connection.execute(f'PRAGMA main.table_info("{table}")').fetchall()
    return [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]


def sqlite_trigger(schema: Schema, table: str, sql: str) -> None:
    words = tokens(sql)
    begin = words.index("begin")
    head, body = words[:begin], words[begin + 1 : len(words) - 1 - words[::-1].index("end")]
    on = len(head) - 1 - head[::-1].index("on")
    event_start = next(i for i, w in enumerate(head) if w in {"insert", "update", "delete"})
    event, *columns = head[event_start:on]  # `update of a , b`: the columns as PostgreSQL's
    event = event.upper()
    if columns:
        event += " OF " + " ".join(columns[1:]).replace(" ,", ",")
    unconditional = "when" not in head[on:]
    refuses = (
        unconditional
        and body[:3] == ["select", "raise", "("]
        and body[3] in {"abort", "fail", "rollback"}
        and body[-2:] == [")", ";"]
        and body.count(";") == 1
    )
    schema.add("triggers", trigger_fact(table, event, refuses))


# --- PostgreSQL ----------------------------------------------------------------------

_PERMANENT_TABLES = """
    SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND n.nspname = %s"""

_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def postgres_schema(connection: psycopg.Connection, namespace: str = "public") -> Schema:
    """The schema of a PostgreSQL database (one namespace of it), without temporary
    tables."""
    schema = Schema(POSTGRES)
    tables = dict(connection.execute(_PERMANENT_TABLES, (namespace,)).fetchall())

    def names(table: int, numbers: list[int]) -> list[str]:
        return [attributes[table, n] for n in numbers]

    attributes: dict[tuple[int, int], str] = {}
    for oid, table in tables.items():
        schema.add("tables", f"table {table}")
        for (
            number,
            column,
            type_,
            not_null,
            identity,
            default,
            collation_name,
        ) in connection.execute(
            """SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
                          a.attnotnull, a.attidentity, pg_get_expr(d.adbin, d.adrelid),
                          co.collname
                   FROM pg_attribute a
                   LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                   LEFT JOIN pg_collation co ON co.oid = a.attcollation
                   WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
                   ORDER BY a.attnum""",
            (oid,),
        ):
            attributes[oid, number] = column
            schema.add("columns", column_fact(table, column, type_class(type_), not_null))
            numbered = bool(identity) or (default or "").startswith("nextval(")
            if numbered:
                schema.add("numbered", f"numbered {table}.{column}")
            elif default is not None:
                schema.add("defaults", f"default {table}.{column} {expression(default)}")
            if type_class(type_) == "text":
                schema.add("collations", f"collation {table}.{column} {collation(collation_name)}")

    constraint_indexes = set()
    for (
        oid,
        kind,
        keys,
        target,
        target_keys,
        on_update,
        on_delete,
        definition,
        index,
    ) in connection.execute(
        """SELECT conrelid, contype, conkey, confrelid, confkey, confupdtype, confdeltype,
                      pg_get_constraintdef(oid), conindid
               FROM pg_constraint WHERE conrelid = ANY(%s) ORDER BY conname""",
        (list(tables),),
    ):
        table = tables[oid]
        if kind == "p":
            schema.add("primary keys", f"primary key {table} {column_list(names(oid, keys))}")
        elif kind == "u":
            schema.add("unique keys", f"unique {table} {column_list(names(oid, keys))}")
        elif kind == "f":
            fact = foreign_key_fact(
                table,
                names(oid, keys),
                tables[target],
                names(target, target_keys),
                _ACTIONS[on_update],
                _ACTIONS[on_delete],
            )
            schema.add("foreign keys", fact)
        elif kind == "c":
            schema.add("checks", f"check {table}: {expression(definition.removeprefix('CHECK'))}")
        constraint_indexes.add(index)

    for index, oid, unique, keys, options, predicate in connection.execute(
        """SELECT indexrelid, indrelid, indisunique, indkey::int2[], indoption::int2[],
                  pg_get_expr(indpred, indrelid)
           FROM pg_index WHERE indrelid = ANY(%s)""",
        (list(tables),),
    ):
        if index in constraint_indexes:
            continue
        columns = [
            (attributes[oid, key] if key else "<expression>") + (" DESC" if option & 1 else "")
            for key, option in zip(keys, options, strict=True)
        ]
        if unique and predicate is None:
            schema.add("unique keys", f"unique {tables[oid]} {column_list(columns)}")
        else:
            where = expression(predicate) if predicate else None
            schema.add("indexes", index_fact(tables[oid], columns, unique, where))

    for oid, kind, columns, has_when, source in connection.execute(
        """SELECT t.tgrelid, t.tgtype, t.tgattr::int2[], t.tgqual IS NOT NULL, p.prosrc
           FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
           WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgrelid = ANY(%s)""",
        (list(tables),),
    ):
        body = tokens(source)
        statements = [w for w in body if w == ";"]
        refuses = (
            not has_when
            and body[:3] == ["begin", "raise", "exception"]
            and len(statements) == 1
            and body[-2:] in (["end", ";"], [";", "end"])
        )
        for bit, event in ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE")):
            if kind & bit:
                if event == "UPDATE" and columns:
                    event += " OF " + ", ".join(names(oid, columns))
                schema.add("triggers", trigger_fact(tables[oid], event, refuses))
    return schema


# --- the two databases ---------------------------------------------------------------


@dataclass
class Databases:
    sqlite: Schema
    postgres: Schema


@pytest.fixture(scope="module")
def schemas(
    tmp_path_factory: pytest.TempPathFactory, postgres: TemporaryPostgres
) -> Iterator[Databases]:
    """Both databases at the latest schema, each with a temporary table of its own that
    must not count."""
    path = tmp_path_factory.mktemp("schema") / "urpaq.db"
    urls = [f"sqlite:///{path}", postgres.create_database()]
    for url in urls:
        uow = open_unit_of_work(url)
        uow.schema.initialise()
        uow.close()
    with sqlite3.connect(path) as lite, psycopg.connect(urls[1], autocommit=True) as pg:
        lite.execute("CREATE TEMP TABLE scratch (a INTEGER PRIMARY KEY, b TEXT UNIQUE)")
        lite.execute("CREATE INDEX temp.scratch_b ON scratch (b)")
        pg.execute("CREATE TEMP TABLE other_scratch (c TEXT NOT NULL CHECK (c <> ''))")
        assert lite.execute(
            "SELECT name FROM temp.sqlite_master WHERE type = 'table'"
        ).fetchall() == [("scratch",)]
        assert pg.execute("SELECT to_regclass('pg_temp.other_scratch')").fetchone() != (None,)
        yield Databases(sqlite_schema(lite), postgres_schema(pg))
    lite.close()


#: Aspects that describe a column further: compared only for the columns both databases
#: have (a column only one has is reported once, under "columns").
COLUMN_DETAILS = {"defaults", "collations", "numbered"}


def differences(databases: Databases, aspect: str) -> str:
    """The facts of one aspect that only one database has and that are not meant, as a
    message naming each table and column; empty when the two agree."""
    sqlite_columns, postgres_columns = (
        {fact.split()[1] for fact in schema["columns"]}
        for schema in (databases.sqlite, databases.postgres)
    )
    shared_columns = sqlite_columns & postgres_columns
    lines = []
    for mine, theirs in (
        (databases.sqlite, databases.postgres),
        (databases.postgres, databases.sqlite),
    ):
        for fact in sorted(mine[aspect] - theirs[aspect]):
            if aspect in COLUMN_DETAILS and fact.split()[1] not in shared_columns:
                continue
            if (mine.database, fact) not in DELIBERATE:
                lines.append(f"  only in {mine.database}: {fact}")
    if not lines:
        return ""
    return (
        f"the {aspect} of SQLite and PostgreSQL differ (a difference that is meant goes in "
        "DELIBERATE with its reason):\n" + "\n".join(lines)
    )


def agree(databases: Databases, aspect: str) -> None:
    message = differences(databases, aspect)
    if message:
        pytest.fail(message, pytrace=False)


ASPECTS = [
    "tables",
    "columns",
    "defaults",
    "collations",
    "numbered",
    "primary keys",
    "unique keys",
    "foreign keys",
    "checks",
    "indexes",
]


def test_both_databases_have_a_schema_to_compare(schemas: Databases) -> None:
    """The introspection sees the whole schema on both sides, so agreement is not empty."""
    for schema in (schemas.sqlite, schemas.postgres):
        for aspect in [*ASPECTS, "triggers"]:
            if aspect != "numbered" or schema.database == SQLITE:
                assert schema[aspect], f"{schema.database}: no {aspect} found"
        assert "table journal_entry" in schema["tables"], schema.database
        assert "trigger journal_entry: no UPDATE" in schema["triggers"], schema.database


def test_temporary_tables_do_not_count(schemas: Databases) -> None:
    """A session's temporary tables (such as an import's `staged`) are not part of the
    schema of either database."""
    for schema in (schemas.sqlite, schemas.postgres):
        everything = " ".join(" ".join(facts) for facts in schema.facts.values())
        assert "scratch" not in everything, schema.database


@pytest.mark.parametrize("aspect", ASPECTS)
def test_the_schemas_agree(schemas: Databases, aspect: str) -> None:
    """Both databases have the same tables; columns (type class, nullability, default,
    collation, numbering); primary, unique and foreign keys; checks; and indexes."""
    agree(schemas, aspect)


def test_triggers_protect_the_same_tables_against_the_same_operations(
    schemas: Databases,
) -> None:
    """Each table is refused or checked on the same operations on both databases, however
    each database's triggers are written (SQLite has no TRUNCATE, so that is left out)."""
    without_truncate = Databases(
        Schema(SQLITE, {"triggers": schemas.sqlite["triggers"]}),
        Schema(
            POSTGRES, {"triggers": {f for f in schemas.postgres["triggers"] if "TRUNCATE" not in f}}
        ),
    )
    agree(without_truncate, "triggers")


def test_postgresql_refuses_truncate_wherever_it_refuses_delete(schemas: Databases) -> None:
    """On PostgreSQL a table whose rows cannot be deleted cannot be truncated either (on
    SQLite a DELETE trigger covers emptying the whole table)."""
    triggers = schemas.postgres["triggers"]
    tables = {fact.split(":")[0].removeprefix("trigger ") for fact in triggers}
    for table in sorted(tables):
        deletes = f"trigger {table}: no DELETE" in triggers
        truncates = f"trigger {table}: no TRUNCATE" in triggers
        assert deletes == truncates, (
            f"{table}: PostgreSQL {'refuses' if deletes else 'allows'} DELETE but "
            f"{'refuses' if truncates else 'allows'} TRUNCATE"
        )


def test_every_deliberate_difference_still_exists(schemas: Databases) -> None:
    """No entry of the allow-list is stale: each names a fact that one database has and the
    other lacks."""
    by_name = {SQLITE: schemas.sqlite, POSTGRES: schemas.postgres}
    for (database, fact), _reason in DELIBERATE.items():
        other = POSTGRES if database == SQLITE else SQLITE
        has = {f for facts in by_name[database].facts.values() for f in facts}
        lacks = {f for facts in by_name[other].facts.values() for f in facts}
        assert fact in has, f"DELIBERATE: {database} no longer has {fact!r}; remove the entry"
        assert fact not in lacks, f"DELIBERATE: {other} now also has {fact!r}; remove the entry"


def migration_files(package: str) -> dict[int, str]:
    folder = resources.files(package).joinpath("migrations")
    found = {}
    for item in folder.iterdir():
        match = re.match(r"^(\d{4})_(.*)\.sql$", item.name)
        if match:
            found[int(match.group(1))] = item.name
    return found


def test_both_databases_have_the_same_migration_numbers() -> None:
    """Every migration number exists for both databases, under the same file name."""
    lite = migration_files("urpaq.adapters.sqlite")
    pg = migration_files("urpaq.adapters.postgres")
    for number in sorted(lite.keys() | pg.keys()):
        assert number in lite, f"migration {pg[number]} exists for PostgreSQL but not SQLite"
        assert number in pg, f"migration {lite[number]} exists for SQLite but not PostgreSQL"
        assert lite[number] == pg[number], (
            f"migration {number}: SQLite's {lite[number]} and PostgreSQL's {pg[number]} differ"
        )
    assert sorted(lite) == list(range(1, len(lite) + 1)), f"numbers are not 1…n: {sorted(lite)}"


_PAYOUTS_AT_SCHEMA_6 = [
    "INSERT INTO payout (payout_id, person_id, operator_name, amount_cents, purpose,"
    " sub_purpose, account, requested_on, return_due_on, status, closed_on, documents)"
    " VALUES ('p-1', 1, 'Otbasy Bank', 50000, 'housing', 'purchase', 'KZ01', '2026-01-05',"
    " '2026-04-05', 'confirmed', '2026-02-01', 'contract 7')",
    "INSERT INTO heir_payout (payout_id, person_id, operator_name, amount_cents,"
    " notary_certificate, account, paid_on)"
    " VALUES ('h-1', 2, 'Otbasy Bank', 70000, 'N-0042', 'KZ02', '2026-03-01')",
]


@pytest.mark.parametrize("database", [SQLITE, POSTGRES])
def test_a_version_6_database_with_payouts_upgrades_to_the_new_schema(
    database: str, schemas: Databases, postgres: TemporaryPostgres, tmp_path: Path
) -> None:
    """Migration 7 keeps every payout, and leaves the same schema as a new database has."""
    package = "urpaq.adapters.sqlite" if database == SQLITE else "urpaq.adapters.postgres"
    folder = resources.files(package).joinpath("migrations")
    scripts = [folder.joinpath(migration_files(package)[n]).read_text() for n in range(1, 7)]
    statements = [*scripts, *(f"INSERT INTO schema_version VALUES ({n})" for n in range(1, 7))]
    if database == SQLITE:
        url = f"sqlite:///{tmp_path / 'urpaq.db'}"
        with sqlite3.connect(tmp_path / "urpaq.db") as lite:
            for statement in [*statements, *_PAYOUTS_AT_SCHEMA_6]:
                lite.executescript(statement)
        lite.close()
    else:
        url = postgres.create_database()
        with psycopg.connect(url, autocommit=True) as pg:
            for statement in [*statements, *_PAYOUTS_AT_SCHEMA_6]:
                pg.execute(statement.encode())

    uow = open_unit_of_work(url)
    assert uow.schema.initialise() >= 7
    uow.close()

    read = "SELECT payout_id, amount_cents FROM payout UNION ALL SELECT payout_id, amount_cents"
    read += " FROM heir_payout ORDER BY payout_id"
    if database == SQLITE:
        with sqlite3.connect(tmp_path / "urpaq.db") as lite:
            rows, upgraded = lite.execute(read).fetchall(), sqlite_schema(lite)
        lite.close()
        fresh = schemas.sqlite
    else:
        with psycopg.connect(url, autocommit=True) as pg:
            rows, upgraded = pg.execute(read).fetchall(), postgres_schema(pg)
        fresh = schemas.postgres
    assert rows == [("h-1", 70000), ("p-1", 50000)]
    for aspect in sorted(fresh.facts.keys() | upgraded.facts.keys()):
        assert upgraded[aspect] == fresh[aspect], f"{database}, {aspect}: upgraded ≠ new"


def serving_stores(tmp_path: Path, postgres: TemporaryPostgres) -> list[str]:
    """A new database of each kind, its serving store made (on first use): their URLs."""
    urls = [
        f"sqlite:///{tmp_path / 'urpaq.db'}",
        postgres.create_database(template="urpaq_template"),
    ]
    for url in urls:
        uow = open_unit_of_work(url)
        uow.schema.initialise()
        uow.serving.audit_events(iin=None, since=None, limit=1)  # opens (creates) it
        uow.close()
    return urls


def test_the_serving_stores_agree(tmp_path: Path, postgres: TemporaryPostgres) -> None:
    """What the servers share — a SQLite file of its own, PostgreSQL's schema `serving` —
    has the same tables, columns, keys and append-only audit log on both."""
    urls = serving_stores(tmp_path, postgres)
    serving_file = tmp_path / "urpaq-serving.db"
    with sqlite3.connect(serving_file) as lite, psycopg.connect(urls[1], autocommit=True) as pg:
        databases = Databases(sqlite_schema(lite), postgres_schema(pg, "serving"))
    lite.close()
    # SQLite has no TRUNCATE; PostgreSQL refuses it wherever it refuses DELETE.
    databases.postgres.facts["triggers"] = {
        fact for fact in databases.postgres["triggers"] if "TRUNCATE" not in fact
    }
    messages = [differences(databases, aspect) for aspect in [*ASPECTS, "triggers"]]
    assert databases.sqlite["tables"] == databases.postgres["tables"] != set()
    assert "trigger audit_event: no DELETE" in databases.sqlite["triggers"]
    assert not [m for m in messages if m], "\n".join(m for m in messages if m)


def test_init_brings_the_serving_store_up_to_date(
    tmp_path: Path, postgres: TemporaryPostgres
) -> None:
    """A serving store made by an earlier urpaq (here without the audit log's index on
    the moment) is brought up to date by `urpaq init`, run as the owner: a server under a
    role that may not create the index would fail to start."""
    import subprocess
    import sys

    urls = serving_stores(tmp_path, postgres)
    with sqlite3.connect(tmp_path / "urpaq-serving.db") as lite:
        lite.execute("DROP INDEX audit_event_at")
        lite.execute("PRAGMA user_version = 4")
    lite.close()
    with psycopg.connect(urls[1], autocommit=True) as pg:
        pg.execute("DROP INDEX serving.audit_event_at")
    for url in urls:
        done = subprocess.run(
            [sys.executable, "-m", "urpaq", "init", "--db", url],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    with sqlite3.connect(tmp_path / "urpaq-serving.db") as lite:
        found = lite.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'audit_event_at'"
        ).fetchone()
        assert found == (1,)
    lite.close()
    with psycopg.connect(urls[1], autocommit=True) as pg:
        assert pg.execute("SELECT to_regclass('serving.audit_event_at')").fetchone() != (None,)
