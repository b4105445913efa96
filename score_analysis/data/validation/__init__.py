"""Validation and cleaning of the input tables (docs/data_contract.md).

Every pass collects findings instead of stopping at the first:

1. :mod:`.cells` — every text cell into its contract type (whole number, number,
   month, date, boolean, code of a list); a cell that cannot be, or that would be
   read as another value than the one typed (a percentage in a count, ``7.304``), is
   an error naming file (sheet), row (cell), column, value and rule;
2. :mod:`.rules` — what the contract declares on the typed tables: patterns, bounds,
   lengths, "at most" relations, ordered and bounded columns, columns filled for one
   role and blank for another, unique keys, known enterprises, rows of comparison
   enterprises;
3. :mod:`.coded` — values read by another declaration: survey answers by their
   codebook item, implementation values by their item, the visits;
4. :mod:`.series` — each enterprise's monthly series: a typed year, an intervention
   month far from the records (errors); missing months, implausible jumps (warnings).

:mod:`.suggestions` proposes what was probably meant ("did you mean 2010-04?").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ..contract import ENTERPRISE_ID_PATTERN, TABLES, RuleCode, Table
from ..findings import ERROR, Finding, Severity
from ..readers import ROW, RawData
from .cells import parse_table
from .coded import check_answers, check_items, implementation_by_visit
from .rules import (
    check_comparison_rows,
    check_declared,
    check_enterprises_known,
    check_filled_for,
    check_unique,
    known_ids,
)
from .series import JUMP_FACTOR, check_months_apart, check_start_apart, warn_series
from .suggestions import date_suggestion, enterprise_suggestion, month_suggestion

__all__ = ["JUMP_FACTOR", "Validated", "date_suggestion", "enterprise_suggestion",
           "implementation_by_visit", "month_suggestion", "validate"]


@dataclass
class Validated:
    """The outcome of validation: typed tables and every finding."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # table -> file shown
    #: for each sheet of a workbook (as named in findings), the column letter of each column
    letters: dict[str, dict[str, str]] = field(default_factory=dict)
    workbook: str | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(raw: RawData, today: dt.date | None = None) -> Validated:
    """Validate and clean every table read by :func:`score_analysis.data.readers.read_raw`.

    Parameters
    ----------
    raw
        The tables as text, with read findings.
    today
        The date that "in the future" is judged against (default: today).

    Returns
    -------
    Validated
        Typed tables (a table absent from the input is absent here; none at all when
        there is an error) and every finding, errors first in file order.  The typed
        ``enterprises`` always has ``role`` (blank = ``programme``); ``implementation``
        is long, its ``value`` a number (yes = 1, no = 0).
    """
    today = today or dt.date.today()
    out = Validated(findings=list(raw.findings), files=dict(raw.files),
                    letters=dict(raw.letters), workbook=raw.workbook)
    ids = known_ids(raw)
    for spec in TABLES.values():
        table = raw.tables.get(spec.name)
        if table is None:
            if spec.required and spec.name not in raw.unreadable:
                out.findings.append(_missing_table(raw, spec))
            continue
        out.sources[spec.name] = table.source
        typed = parse_table(table, spec, today, out.findings)
        if typed is None:
            continue
        check_declared(typed, spec, table, out.findings, ids)
        check_filled_for(typed, spec, table, out.findings)
        check_months_apart(typed, spec, table.source, out.findings)
        out.tables[spec.name] = typed
    for name, typed in list(out.tables.items()):
        spec = TABLES[name]
        check_unique(typed, spec, out.sources[name], out.findings)
        if spec.answers is not None:
            out.tables[name] = check_answers(typed, spec, out.sources[name], raw,
                                             out.tables.get(spec.answers.codebook),
                                             out.findings)
        if spec.by_item is not None:
            out.tables[name] = check_items(typed, spec, raw.tables[name], out.findings)
    check_enterprises_known(out.tables, out.sources, raw, out.findings)
    check_comparison_rows(out.tables, out.sources, out.findings)
    check_start_apart(out.tables, out.sources, out.findings)
    if out.ok:
        warn_series(out.tables, out.sources, out.findings)
    out.findings = _with_enterprises(out.findings, raw)
    if not out.ok:
        out.tables = {}
    else:
        out.tables = {name: t.drop(columns=[ROW]) for name, t in out.tables.items()}
    order = {s: i for i, s in enumerate(Severity)}
    out.findings.sort(key=lambda f: (order[f.severity], _file_order(f.file),
                                     f.row if f.row is not None else -1))
    return out


def _missing_table(raw: RawData, spec: Table) -> Finding:
    if raw.workbook is not None:
        return Finding(file=raw.shown_name(spec.name), rule=RuleCode.MISSING_SHEET,
                       params={"sheet": spec.name})
    return Finding(file=spec.file_name, rule=RuleCode.MISSING_FILE)


def _file_order(name: str) -> int:
    for i, t in enumerate(TABLES.values()):
        if name.startswith(t.name) or f"[{t.name}" in name:
            return i
    return len(TABLES)


def _with_enterprises(findings: list[Finding], raw: RawData) -> list[Finding]:
    """Name the enterprise of every row-level finding whose record has a valid id."""
    import re

    pattern = re.compile(ENTERPRISE_ID_PATTERN)
    owners: dict[str, dict[int, str]] = {}
    for table in raw.tables.values():
        frame = table.frame
        if "enterprise_id" in frame.columns:
            owners[table.source] = {
                int(row): str(eid) for row, eid in zip(frame[ROW], frame["enterprise_id"],
                                                        strict=True)
                if isinstance(eid, str) and pattern.fullmatch(eid)}
    out = []
    for f in findings:
        if not f.enterprise_id and f.row is not None:
            eid = owners.get(f.file, {}).get(f.row)
            if eid:
                f = dataclasses.replace(f, enterprise_id=eid)
        out.append(f)
    return out
