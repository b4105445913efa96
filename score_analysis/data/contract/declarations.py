"""The kinds of declarations the contract is made of: columns, items, and the rules
between columns that validation checks as declared."""

from __future__ import annotations

from dataclasses import dataclass, field

from .codes import RuleCode


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    ``kind`` is one of ``text``, ``integer``, ``number``, ``month``, ``date``,
    ``boolean``, ``choice`` or ``item`` (read by the item named in the same row).
    ``required`` means the column must be present in the file; ``nullable`` means
    a cell may be blank.  ``minimum``/``maximum`` bound a number, ``at_most`` names a
    column of the same row this one may not exceed, ``per`` the exposure a count is a
    rate of (the month-to-month plausibility check), ``percent`` allows a workbook
    cell formatted as a percentage (no column of the contract is a percentage).
    """

    name: str
    kind: str
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    at_most: str | None = None
    per: str | None = None
    percent: bool = False
    max_length: int | None = None
    en: str = ""
    id: str = ""
    #: the value a blank cell stands for in the typed table (``role``: programme)
    default: str | None = None


@dataclass(frozen=True)
class Item:
    """One item of a long table whose ``value`` column is read by item (``implementation``).

    ``kind`` is ``integer`` or ``boolean`` (yes/no); ``at_most`` names another item
    of the same enterprise and visit that this one may not exceed.
    """

    name: str
    kind: str
    minimum: float | None = None
    maximum: float | None = None
    at_most: str | None = None
    en: str = ""
    id: str = ""


@dataclass(frozen=True)
class FilledFor:
    """A column that must hold a value in the rows where ``by`` is one of ``filled``
    (else ``missing``) and must be blank where it is one of ``blank`` (else ``present``);
    a blank ``by`` counts as its column's default."""

    column: str
    by: str
    filled: tuple[str, ...]
    blank: tuple[str, ...]
    missing: RuleCode
    present: RuleCode


@dataclass(frozen=True)
class Ordered:
    """``low < high`` in every row where both are filled (reported in ``high``)."""

    low: str
    high: str


@dataclass(frozen=True)
class Within:
    """``low <= column <= high`` in every row where all three are filled."""

    column: str
    low: str
    high: str


@dataclass(frozen=True)
class Answers:
    """Every column after the declared ones is an item of a codebook table, whose
    answers are whole numbers within the item's scale (the worker survey)."""

    codebook: str
    item: str
    low: str
    high: str


@dataclass(frozen=True)
class ByItem:
    """A long table whose ``value`` column is read by the item named in ``item`` (the
    table's ``items``), recorded at a ``visit`` on a ``date``: items bounded by another
    item are compared within the same enterprise and visit."""

    item: str
    value: str
    visit: str
    date: str


@dataclass(frozen=True)
class Series:
    """One monthly series per enterprise: ``month`` is the series' month column and
    ``start`` the (table, column) of each enterprise's first month "after"."""

    month: str
    start: tuple[str, str]


@dataclass(frozen=True)
class Table:
    """One input table: a CSV file or a sheet of the workbook.

    ``comparison_rows`` says what rows of comparison enterprises are: ``expected``
    (their monthly records), ``allowed``, ``unused`` (kept but not analysed: a
    warning) or ``forbidden`` (an error).
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    #: a header without data rows is an error (nothing to analyse)
    needs_rows: bool = False
    extra_columns_allowed: bool = False
    en: str = ""
    id: str = ""
    #: further column sets unique together where all are filled
    unique: tuple[tuple[str, ...], ...] = ()
    ordered: tuple[Ordered, ...] = ()
    within: tuple[Within, ...] = ()
    filled_for: tuple[FilledFor, ...] = ()
    items: tuple[Item, ...] = ()
    by_item: ByItem | None = None
    answers: Answers | None = None
    series: Series | None = None
    comparison_rows: str = "allowed"
    #: rules of the whole table, in words (English msgids), for the codebook and the docs
    rules: tuple[str, ...] = field(default_factory=tuple)

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)
