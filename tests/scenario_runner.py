"""Runs ledger and register scenarios written in a small text notation.

A scenario is a file of commands, one per line; indented lines under a command are its
expectations.  Blank lines and lines starting with ``#`` are ignored.

    parameters 2023 1000.00 0                  # year, TR total (USD), II rate
    import                                     # one import batch (one feed file)
      born alice 2015-05-01                    # born_citizen; recorded 5 days later
      born bob 2015-06-01 recorded 2024-06-01  # … or recorded when stated
      person carol 2012-02-02                  # a person with no citizenship by birth
      acquired carol 2024-03-01
      lost alice 2024-04-01 region KZ-75
      died bob 2025-01-01 rejected: after the death   # expected to be refused
      lost alice 2024-04-01 id wrong-loss      # a record named, for a withdrawal …
      retracted alice 2024-09-01 retracts wrong-loss   # … that withdraws it
    close 2023 as-of 2024-01-31
      participants 1                           # any field of `urpaq close --json`
      per_child 1000.00
    refuse close 2025 as-of 2026-01-31: no_parameters
    statement alice
      status participant
      since 2023
      tr 1000.00
      ts 0.00
      entry 2023 accrual 1000.00               # the entries, in order, all of them
    same-balance alice bob                     # two people hold the same TR
    reconcile                                  # every identity holds (also run at the end)

Record kinds: born, person, acquired, lost, renounced, died, declared_dead, annulled,
updated, retracted.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from urpaq.adapters.feed import inspect_feed, read_feed
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.close import CloseRefused
from urpaq.domain.iin import Iin, compose
from urpaq.domain.money import Money
from urpaq.domain.parameters import YearParameters
from urpaq.domain.register import FIELDS
from urpaq.services.closing import close_year
from urpaq.services.parameters import set_parameters
from urpaq.services.reconciliation import reconcile
from urpaq.services.register_import import import_records
from urpaq.services.statements import statement_of

TODAY = dt.date(2026, 11, 22)

KINDS = {
    "born": "born_citizen",
    "acquired": "citizenship_acquired",
    "lost": "citizenship_lost",
    "renounced": "citizenship_renounced",
    "died": "died",
    "declared_dead": "declared_dead",
    "annulled": "record_annulled",
    "updated": "data_updated",
    "retracted": "record_retracted",
}


class ScenarioFailed(AssertionError):
    pass


@dataclass
class Block:
    line_number: int
    words: list[str]
    expectations: list[tuple[int, str]] = field(default_factory=list)


def parse_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for number, raw in enumerate(text.splitlines(), 1):
        content = raw.split("#", 1)[0].rstrip()
        if not content.strip():
            continue
        if content[0].isspace():
            if not blocks:
                raise ScenarioFailed(f"line {number}: an expectation before any command")
            blocks[-1].expectations.append((number, content.strip()))
        else:
            blocks.append(Block(number, content.split()))
    return blocks


class ScenarioRun:
    def __init__(self, uow: SqlUnitOfWork, workdir: Path, name: str) -> None:
        self.uow = uow
        self.workdir = workdir
        self.name = name
        self.people: dict[str, Iin] = {}
        self.serial = 0

    def fail(self, number: int, message: str) -> ScenarioFailed:
        return ScenarioFailed(f"{self.name}:{number}: {message}")

    def person(self, name: str, birth: str | None, number: int) -> Iin:
        if name in self.people:
            return self.people[name]
        if birth is None:
            raise self.fail(number, f"{name} must first appear with a birth date")
        birth_date = dt.date.fromisoformat(birth)
        while True:
            self.serial += 1
            iin = compose(birth_date=birth_date, is_male=self.serial % 2 == 1, serial=self.serial)
            if iin is not None:
                self.people[name] = iin
                return iin

    def run(self, text: str) -> None:
        for block in parse_blocks(text):
            command = block.words[0]
            handler = getattr(self, f"do_{command.replace('-', '_')}", None)
            if handler is None:
                raise self.fail(block.line_number, f"unknown command {command!r}")
            handler(block)
        self.do_reconcile(Block(0, ["reconcile"]))

    def do_parameters(self, block: Block) -> None:
        _, year, total, rate = block.words
        item = YearParameters(int(year), Money.parse(total), Decimal(rate), "scenario")
        set_parameters(self.uow, parameters=[item], today=TODAY)

    def do_import(self, block: Block) -> None:
        rows: list[dict[str, str]] = []
        expected_rejections: dict[int, str] = {}
        for number, line in block.expectations:
            spec, _, rejected = line.partition(" rejected:")
            words = spec.split()
            kind_word, name, date = words[0], words[1], words[2]
            options = dict(zip(words[3::2], words[4::2], strict=True))
            if kind_word == "person":
                self.person(name, date, number)
                continue
            if kind_word not in KINDS:
                raise self.fail(number, f"unknown record kind {kind_word!r}")
            iin = self.person(name, date if kind_word == "born" else None, number)
            effective = dt.date.fromisoformat(date)
            recorded = options.get("recorded", (effective + dt.timedelta(days=5)).isoformat())
            rows.append(
                {
                    "record_id": f"{self.name}-{options.get('id', number)}",
                    "iin": iin.value,
                    "kind": KINDS[kind_word],
                    "effective_date": date,
                    "recorded_on": recorded,
                    "region": options.get("region", ""),
                    "retracts": f"{self.name}-{options['retracts']}"
                    if "retracts" in options
                    else "",
                }
            )
            if rejected:
                expected_rejections[len(rows) + 1] = rejected.strip()
        path = self.workdir / f"batch-{block.line_number}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(rows)
        feed = inspect_feed(path)
        summary = import_records(
            self.uow, rows=read_feed(feed), source=path.name, sha256=feed.sha256, today=TODAY
        )
        found = {r.line: r.reason for r in summary.rejections}
        if set(found) != set(expected_rejections):
            raise self.fail(
                block.line_number, f"rejections {found}, expected {expected_rejections}"
            )
        for line, fragment in expected_rejections.items():
            if fragment not in found[line]:
                raise self.fail(
                    block.line_number, f"line {line}: {found[line]!r} lacks {fragment!r}"
                )

    def do_close(self, block: Block) -> None:
        _, year, _, as_of = block.words
        result = close_year(self.uow, year=int(year), as_of=dt.date.fromisoformat(as_of))
        document = result.as_json()
        for number, line in block.expectations:
            name, value = line.split()
            if str(document.get(name)) != value:
                raise self.fail(
                    number, f"close {year}: {name} is {document.get(name)}, expected {value}"
                )

    def do_refuse(self, block: Block) -> None:
        words = " ".join(block.words[1:])
        action, _, code = words.partition(":")
        _, year, _, as_of = action.split()
        try:
            close_year(self.uow, year=int(year), as_of=dt.date.fromisoformat(as_of))
        except CloseRefused as refusal:
            if refusal.code != code.strip():
                raise self.fail(
                    block.line_number, f"refused with {refusal.code}, expected {code}"
                ) from None
            return
        raise self.fail(block.line_number, f"close {year} was not refused")

    def do_statement(self, block: Block) -> None:
        name = block.words[1]
        statement = statement_of(self.uow, iin=self.people[name])
        document = statement.as_json()
        entries = [
            f"{e['reporting_year']} {e['kind']} {e['amount']}"
            for e in document["entries"]  # type: ignore[attr-defined]
        ]
        expected_entries = []
        fields = {"tr": "target_requirements", "ts": "target_savings", "since": "participant_since"}
        for number, line in block.expectations:
            key, _, value = line.partition(" ")
            if key == "entry":
                expected_entries.append(value)
                continue
            found = str(document[fields.get(key, key)])
            if found != value:
                raise self.fail(number, f"statement {name}: {key} is {found}, expected {value}")
        if expected_entries and entries != expected_entries:
            raise self.fail(
                block.line_number,
                f"statement {name}: entries {entries}, expected {expected_entries}",
            )
        # Every cent is explained: the entries of each account add up to its balance,
        # each entry's running balance is the sum so far, and each names its rule.
        for account in ("target_requirements", "target_savings"):
            explained = 0
            for e in document["entries"]:  # type: ignore[attr-defined]
                if e["account"] != account:
                    continue
                explained += Money.parse(str(e["amount"])).cents
                if Money.parse(str(e["balance"])) != Money(explained) or e["rule"] == "entry":
                    raise self.fail(block.line_number, f"statement {name}: entry {e}")
            if Money(explained) != Money.parse(str(document[account])):
                raise self.fail(
                    block.line_number,
                    f"statement {name}: {account} entries sum to {Money(explained)}",
                )

    def do_same_balance(self, block: Block) -> None:
        first, second = (statement_of(self.uow, iin=self.people[n]) for n in block.words[1:3])
        if first.target_requirements != second.target_requirements:
            raise self.fail(
                block.line_number,
                f"{block.words[1]} holds {first.target_requirements}, "
                f"{block.words[2]} holds {second.target_requirements}",
            )

    def do_reconcile(self, block: Block) -> None:
        failed = [c for c in reconcile(self.uow) if not c.holds]
        if failed:
            raise self.fail(block.line_number, f"identities fail: {failed}")
