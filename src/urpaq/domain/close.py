"""The annual close of a reporting year, computed on groups of people.

The close sees every person in two standings: what they held after the previous close
(their entry-year class then, or nothing) and their standing now.  People with the same
pair of standings move alike, so the close works on *movements* (`domain/movements.py`)
— counts of people per pair — and never on one row per child.  The same rules applied
to a movement of one person give that person's statement (`adjustment_lines` and
`credit_lines`, which `domain/statement.py` replays).

Before any of this, `check_close_allowed` says whether the year may be closed at all.

The steps, in the order programme.md gives them:

1. adjustments bring every balance to what it should have been after the previous close:
   leavers lose their whole balance (forfeited, or annulled when the record was annulled);
   a participant held in the wrong class is moved to the right one, with a back-accrual
   of what is missing or a reversal (counted as annulled) of what was too much;
2. investment income of the year on every adjusted balance, half up per person;
3. the per-child TR: the pot (TR total + forfeited + annulled − back-accruals) split
   equally among the participants, floored to the cent; the residue is kept;
4. maturity: participants turning 18 next year take their whole balance as target savings;
   so do people who *mature late* (`domain/late_maturity.py`), back-accrued it first;
5. the National Bank's side of it all: one `target_assets` entry (`domain/funding.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal

from urpaq.domain import ledger
from urpaq.domain.accrual import ClosedYear, Schedule

# When a close may run (`close_rules.py`), also named here, as the services import it.
from urpaq.domain.close_rules import ClosedView as ClosedView
from urpaq.domain.close_rules import CloseRefused as CloseRefused
from urpaq.domain.close_rules import check_close_allowed as check_close_allowed
from urpaq.domain.funding import target_assets_entry
from urpaq.domain.invariants import InvariantBroken, require
from urpaq.domain.late_maturity import LateMaturity
from urpaq.domain.ledger import EntryKind, JournalEntry
from urpaq.domain.money import CURRENCY, Money, split_floor
from urpaq.domain.movements import Movement, Outcome
from urpaq.domain.parameters import YearParameters


@dataclass(frozen=True, slots=True)
class Line:
    """One move of money for one person: `amount` from `source` to `target`.

    `effect` is what the move does to the person's TR balance: positive when it adds,
    negative when it takes away, zero for a move between classes.
    """

    kind: EntryKind
    amount: Money
    source: str
    target: str
    effect: Money


@dataclass(frozen=True, slots=True)
class CloseResult:
    """The published figures of a close, which `urpaq close --json` prints."""

    reporting_year: int
    participants: int
    per_child: Money
    tr_total: Money
    forfeited: Money
    annulled: Money
    back_accruals: Money
    residue: Money
    investment_income: Money
    matured: int
    target_savings_credited: Money

    def __post_init__(self) -> None:
        # The credits of a close equal its inputs plus adjustments minus the residue.
        pot = self.tr_total + self.forfeited + self.annulled - self.back_accruals
        credits = self.per_child.times(self.participants)
        require(credits + self.residue == pot, "per-child credits and residue must equal the pot")
        require(0 <= self.residue.cents < self.participants, "residue must be below a cent each")

    def as_json(self) -> dict[str, object]:
        """Every figure by its field's name, in their order, amounts as text, then the
        currency."""
        values = ((item.name, getattr(self, item.name)) for item in fields(self))
        document = {name: str(v) if isinstance(v, Money) else v for name, v in values}
        return document | {"currency": CURRENCY}


@dataclass(frozen=True, slots=True)
class MaturityPlan:
    """Per entry-year class: how many people mature and what each takes as savings; and
    per (entry year, maturity year), the same for the people who mature late."""

    year: int
    amount_by_class: dict[int, Money]
    count_by_class: dict[int, int]
    late_amount: dict[tuple[int, int], Money] = field(default_factory=dict)
    late_count: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Everyone the close credits target savings."""
        return sum(self.count_by_class.values()) + sum(self.late_count.values())


@dataclass(frozen=True, slots=True)
class ClosePlan:
    """Everything a close writes: its figures, its entries and its maturities."""

    result: CloseResult
    closed_year: ClosedYear
    entries: tuple[JournalEntry, ...]
    maturity: MaturityPlan


def adjustment_lines(
    *,
    held_class: int | None,
    outcome: Outcome,
    entry_year: int | None,
    year: int,
    schedule: Schedule,
) -> list[Line]:
    """The moves that bring one person's balance to what it should be after `year − 1`."""
    pot = ledger.pot_account(year)
    held = Money.zero() if held_class is None else schedule.balance(held_class, after_year=year - 1)
    if not outcome.is_participant:
        if held_class is None or not held.cents:
            return []
        kind = EntryKind.ANNULMENT if outcome is Outcome.ANNULLED else EntryKind.FORFEITURE
        return [Line(kind, held, ledger.class_account(held_class), pot, -held)]
    if entry_year is None:
        raise InvariantBroken("a participant has an entry year")
    lines: list[Line] = []
    target = ledger.class_account(entry_year)
    if outcome is Outcome.RESTARTS and held_class is not None:
        # The participation that earned the held balance ended this year.
        require(entry_year == year, "a participation restarted this year enters this year")
        if held.cents:
            lines.append(
                Line(EntryKind.FORFEITURE, held, ledger.class_account(held_class), pot, -held)
            )
        return lines
    if held_class is not None and held_class != entry_year and held.cents:
        source = ledger.class_account(held_class)
        lines.append(Line(EntryKind.RECLASSIFICATION, held, source, target, Money.zero()))
    due = schedule.balance(entry_year, after_year=year - 1)
    if due > held:
        # A child recorded late gets every missed year's TR with its II, in full.
        lines.append(Line(EntryKind.BACK_ACCRUAL, due - held, pot, target, due - held))
    elif held > due:
        # A balance above what the entry year gives was credited without the right.
        lines.append(Line(EntryKind.ANNULMENT, held - due, target, pot, due - held))
    return lines


def credit_lines(
    *,
    entry_year: int,
    matures: bool,
    year: int,
    schedule: Schedule,
    ii_rate: Decimal,
    per_child: Money,
) -> list[Line]:
    """The II, the per-child TR and any maturity of one participant of `year`."""
    target = ledger.class_account(entry_year)
    lines: list[Line] = []
    income = schedule.investment_income(entry_year, year=year, rate=ii_rate)
    if income.cents:
        lines.append(
            Line(EntryKind.INVESTMENT_INCOME, income, ledger.NATIONAL_FUND_II, target, income)
        )
    lines.append(Line(EntryKind.ACCRUAL, per_child, ledger.pot_account(year), target, per_child))
    if matures:
        balance = schedule.balance(entry_year, after_year=year - 1) + income + per_child
        lines.append(Line(EntryKind.MATURITY, balance, target, ledger.TARGET_SAVINGS, -balance))
    return lines


def late_maturity_lines(
    *, entry_year: int, maturity_year: int, year: int, schedule: Schedule
) -> list[Line]:
    """What the close of `year` moves for one person who matures late: their class's
    balance after their maturity close, B(e, M), from the pot into the class as a
    back-accrual, and on to their target savings."""
    require(maturity_year < year, "a late maturity comes after the maturity close")
    due = schedule.balance(entry_year, after_year=maturity_year)
    target = ledger.class_account(entry_year)
    return [
        Line(EntryKind.BACK_ACCRUAL, due, ledger.pot_account(year), target, due),
        Line(EntryKind.MATURITY, due, target, ledger.TARGET_SAVINGS, -due),
    ]


@dataclass(frozen=True, slots=True)
class _Sums:
    """What a set of lines moves: signed cents per entry kind and account, and the cents
    moved per kind."""

    by_account: Mapping[EntryKind, Mapping[str, int]]
    moved_cents: Mapping[EntryKind, int]

    def moved(self, kind: EntryKind) -> Money:
        return Money(self.moved_cents.get(kind, 0))


def _sums_of(weighted_lines: Iterable[tuple[Sequence[Line], int]]) -> _Sums:
    """The sums of lines that each apply to `count` people."""
    by_account: defaultdict[EntryKind, defaultdict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    moved_cents: defaultdict[EntryKind, int] = defaultdict(int)
    for lines, count in weighted_lines:
        for line in lines:
            cents = line.amount.cents * count
            by_account[line.kind][line.source] -= cents
            by_account[line.kind][line.target] += cents
            moved_cents[line.kind] += cents
    return _Sums(by_account=by_account, moved_cents=moved_cents)


def _adjustment_sums(
    moves: Sequence[Movement], late: Sequence[LateMaturity], *, year: int, schedule: Schedule
) -> _Sums:
    """What the adjustments of every movement move, and the back-accruals of the people
    who mature late, before the pot is known."""
    adjusted = [
        (
            adjustment_lines(
                held_class=move.held_class,
                outcome=move.outcome,
                entry_year=move.entry_year,
                year=year,
                schedule=schedule,
            ),
            move.count,
        )
        for move in moves
    ]
    for group in late:  # whoever matures late is back-accrued from this pot too
        lines = late_maturity_lines(
            entry_year=group.entry_year, maturity_year=group.maturity_year, year=year,
            schedule=schedule,
        )  # fmt: skip
        adjusted.append((lines[:1], group.count))
    return _sums_of(adjusted)


def _credit_sums(
    moves: Sequence[Movement],
    late: Sequence[LateMaturity],
    *,
    year: int,
    schedule: Schedule,
    ii_rate: Decimal,
    per_child: Money,
) -> tuple[_Sums, MaturityPlan]:
    """What the II, the per-child TR and the maturities of the participants and of the
    people who mature late move, and who matures with how much."""
    weighted_lines: list[tuple[list[Line], int]] = []
    amount_by_class: dict[int, Money] = {}
    count_by_class: defaultdict[int, int] = defaultdict(int)
    for move in moves:
        # Only participants have an entry year (a `Movement` checks it), and only they
        # are credited.
        if move.entry_year is None:
            continue
        lines = credit_lines(
            entry_year=move.entry_year,
            matures=move.matures,
            year=year,
            schedule=schedule,
            ii_rate=ii_rate,
            per_child=per_child,
        )
        weighted_lines.append((lines, move.count))
        if move.matures:
            amount_by_class[move.entry_year] = lines[-1].amount
            count_by_class[move.entry_year] += move.count
    late_amount: dict[tuple[int, int], Money] = {}
    late_count: defaultdict[tuple[int, int], int] = defaultdict(int)
    for group in late:
        key = (group.entry_year, group.maturity_year)
        lines = late_maturity_lines(
            entry_year=key[0], maturity_year=key[1], year=year, schedule=schedule
        )
        weighted_lines.append((lines[1:], group.count))
        late_amount[key] = lines[-1].amount
        late_count[key] += group.count
    maturity = MaturityPlan(
        year=year, amount_by_class=amount_by_class, count_by_class=dict(count_by_class),
        late_amount=late_amount, late_count=dict(late_count),
    )  # fmt: skip
    return _sums_of(weighted_lines), maturity


def _funding_sums(*, year: int, tr_total: Money, residue: Money) -> _Sums:
    """The TR total paid into the pot, and the residue taken out of it to be kept."""
    pot = ledger.pot_account(year)
    return _Sums(
        by_account={
            EntryKind.TR_FUNDING: {ledger.NATIONAL_FUND_TR: -tr_total.cents, pot: tr_total.cents},
            EntryKind.RESIDUE: {pot: -residue.cents, ledger.RESIDUE: residue.cents},
        },
        moved_cents={EntryKind.TR_FUNDING: tr_total.cents, EntryKind.RESIDUE: residue.cents},
    )


def _entries_from_sums(parts: Sequence[_Sums], *, year: int) -> tuple[JournalEntry, ...]:
    """One entry per kind of the close, moving what all the parts move for that kind."""
    entries = []
    for kind in EntryKind:
        if kind is EntryKind.MATURITY:
            continue  # written per person by the store, from the maturity plan
        amounts: defaultdict[str, int] = defaultdict(int)
        for part in parts:
            for account, cents in part.by_account.get(kind, {}).items():
                amounts[account] += cents
        entry = ledger.entry_from_amounts(
            key=f"close:{year}:{kind.value}",
            kind=kind,
            reporting_year=year,
            amounts={account: Money(cents) for account, cents in amounts.items()},
        )
        if entry is not None:
            entries.append(entry)
    return tuple(entries)


def _split_pot(
    year: int, tr_total: Money, *, returned: Money, back_accruals: Money, participants: int
) -> tuple[Money, Money]:
    """a(Y) and the residue: the pot (TR total + returned − back-accruals) split among the
    participants; `CloseRefused` where it cannot be."""
    if participants == 0:
        raise CloseRefused("no_participants", f"the register shows no participant of {year}")
    pot = tr_total + returned - back_accruals
    if pot.cents < 0:
        raise CloseRefused(
            "pot_short",
            f"back-accruals {back_accruals} exceed TR total {tr_total} plus returns {returned}"
            f" of {year}",
        )
    per_child, residue = split_floor(pot, shares=participants)
    if per_child.cents == 0:  # a TR total mistyped by orders of magnitude, most likely
        raise CloseRefused(
            "per_child_under_a_cent",
            f"the pot of {year}, {pot} USD (TR total {tr_total}), gives each of"
            f" {participants:,} participants less than a cent: check the TR total",
        )
    return per_child, residue


def plan_close(
    *,
    parameters: YearParameters,
    schedule: Schedule,
    movements: Iterable[Movement],
    late: Iterable[LateMaturity] = (),
) -> ClosePlan:
    """Compute the close of `parameters.year` from the movements of its people and the
    people who mature late at it (`late`, counted by the caller from the register).

    Raises `CloseRefused` when the year has no participants, the pot cannot pay the
    back-accruals, or it gives each participant less than a cent.
    """
    year = parameters.year
    require(schedule.last_year == year - 1, "the close of a year needs every earlier year closed")
    moves = list(movements)
    late_maturities = list(late)  # no participants of the year: paid what they held at 18
    adjusted = _adjustment_sums(moves, late_maturities, year=year, schedule=schedule)
    participants = sum(move.count for move in moves if move.outcome.is_participant)
    forfeited = adjusted.moved(EntryKind.FORFEITURE)
    annulled = adjusted.moved(EntryKind.ANNULMENT)
    back_accruals = adjusted.moved(EntryKind.BACK_ACCRUAL)
    per_child, residue = _split_pot(
        year, parameters.tr_total, returned=forfeited + annulled, back_accruals=back_accruals,
        participants=participants,
    )  # fmt: skip
    credited, maturity = _credit_sums(
        moves, late_maturities, year=year, schedule=schedule, ii_rate=parameters.ii_rate,
        per_child=per_child,
    )  # fmt: skip
    funded = _funding_sums(year=year, tr_total=parameters.tr_total, residue=residue)
    entries = _entries_from_sums([adjusted, credited, funded], year=year)

    pot_left = sum(
        p.amount.cents for e in entries for p in e.postings if p.account == ledger.pot_account(year)
    )
    require(pot_left == 0, f"the pot of {year} must be emptied, {Money(pot_left)} left")

    result = CloseResult(
        reporting_year=year,
        participants=participants,
        per_child=per_child,
        tr_total=parameters.tr_total,
        forfeited=forfeited,
        annulled=annulled,
        back_accruals=back_accruals,
        residue=residue,
        investment_income=credited.moved(EntryKind.INVESTMENT_INCOME),
        matured=maturity.count,
        target_savings_credited=credited.moved(EntryKind.MATURITY),
    )
    bank_side = target_assets_entry(
        year=year,
        accrued=result.tr_total,
        investment_income=result.investment_income,
        transferred=result.target_savings_credited,
        residue=residue,
    )
    return ClosePlan(
        result=result,
        closed_year=ClosedYear(year=year, per_child=per_child, ii_rate=parameters.ii_rate),
        entries=(*entries, bank_side),
        maturity=maturity,
    )
