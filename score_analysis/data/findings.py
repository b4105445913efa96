"""Findings: one line of the data-quality log per problem found in the input
(docs/data_contract.md), and how findings are shown to people.

A :class:`Finding` holds the place (file or sheet, row, column), the value as typed,
the language-neutral :class:`~score_analysis.data.contract.RuleCode` and the values
its message needs (``params``).  Its message and its rule are rendered from the code
through the catalog, in the language current when they are read
(:mod:`score_analysis.data.messages`), so that one validation serves every language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ..i18n import gettext as _
from ..i18n import ngettext, pgettext
from .contract import RuleCode
from .messages import render_message, render_rule

#: The columns of reports/quality_log.csv (docs/analysis_plan.md §10).
QUALITY_COLUMNS = ("file", "row", "column", "value", "rule", "severity", "message")

#: Longest value kept in a finding (a 1 MB cell is shortened, not copied around).
VALUE_MAX = 200


class Severity(StrEnum):
    """``error`` stops the run; ``warning`` is worth checking; ``info`` is noise that was
    cleaned and logged for the record."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One line of the data-quality log (docs/data_contract.md).

    ``row`` is the row as the user sees it in a spreadsheet (header = row 1), or
    ``None`` when the finding concerns the whole file or column.  ``enterprise_id``
    names the enterprise of the record (blank when the finding is not about one
    enterprise); it goes to ``quality_log.parquet`` so that each report shows its own
    findings.  ``value`` is kept to at most :data:`VALUE_MAX` characters; ``params``
    holds the values the message needs (numbers stay numbers, formatted in the
    reader's locale when the message is rendered).
    """

    file: str
    rule: RuleCode
    row: int | None = None
    column: str = ""
    value: str = ""
    severity: Severity = Severity.ERROR
    params: Mapping[str, object] = field(default_factory=dict)
    enterprise_id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule", RuleCode(self.rule))
        object.__setattr__(self, "severity", Severity(self.severity))
        if len(self.value) > VALUE_MAX:
            object.__setattr__(self, "value", _shorten(self.value, VALUE_MAX))
        object.__setattr__(self, "params", dict(self.params))

    def __hash__(self) -> int:
        return hash((self.file, self.rule, self.row, self.column, self.value, self.severity,
                     tuple(sorted((k, repr(v)) for k, v in self.params.items())),
                     self.enterprise_id))

    @property
    def message(self) -> str:
        """The message, in the current language."""
        return render_message(self.rule, self.value, self.params)

    @property
    def rule_words(self) -> str:
        """The rule, in words, in the current language."""
        return render_rule(self.rule, self.params)

    def line(self) -> str:
        """The finding as one line for the terminal (control characters made visible)."""
        return finding_line(self)


def quality_log_frame(findings: list[Finding]):
    """The findings as the rows of the quality log: the §7 columns (``rule`` the code,
    ``severity`` the code, ``message`` in the current language), then ``enterprise_id``
    and ``params`` (JSON), from which :func:`render_message` renders the message in any
    language (the pages render the log in their own)."""
    import pandas as pd

    rows = [{"file": f.file, "row": f.row, "column": f.column, "value": f.value,
             "rule": str(f.rule), "severity": str(f.severity), "message": f.message,
             "enterprise_id": f.enterprise_id,
             "params": json.dumps(f.params, sort_keys=True, ensure_ascii=False, default=str)}
            for f in findings]
    frame = pd.DataFrame(rows, columns=[*QUALITY_COLUMNS, "enterprise_id", "params"])
    frame["row"] = frame["row"].astype("Int64")
    return frame


def logged_message(rule: str, value: str, params: str | Mapping | None) -> str:
    """The message of a quality-log row (``rule``, ``value`` and ``params`` as
    :func:`quality_log_frame` wrote them) in the current language."""
    if isinstance(params, str):
        params = json.loads(params) if params else {}
    return render_message(RuleCode(rule), value or "", params or {})


def severity_label(severity: str) -> str:
    """A severity in words, in the current language."""
    return {"error": pgettext("severity", "error"), "warning": pgettext("severity", "warning"),
            "info": pgettext("severity", "info")}.get(str(severity), str(severity))


# --------------------------------------------------------------------------- places and lines


_SHEET = re.compile(r"^(?P<book>.+)\[(?P<sheet>[^\[\]]+)\]$")


def finding_place(finding: Finding, letters: dict[str, dict[str, str]] | None = None) -> str:
    """Where a finding is, as a person finds it: ``kpi_monthly.csv, row 7, column x`` for a
    CSV file, ``book.xlsx, kpi_monthly!F7, column x`` (the sheet and cell) for a workbook."""
    letters = letters or {}
    sheet = _SHEET.match(finding.file) if finding.file in letters else None
    column = _printable(finding.column)
    if sheet is not None:
        where = sheet["book"]
        letter = letters[finding.file].get(finding.column)
        if finding.row is not None and letter:
            where += f", {sheet['sheet']}!{letter}{finding.row}"
        else:
            where += ", " + _("sheet {sheet}").format(sheet=sheet["sheet"])
            if finding.row is not None:
                where += ", " + _("row {row}").format(row=finding.row)
    else:
        where = _printable(finding.file)
        if finding.row is not None:
            where += ", " + _("row {row}").format(row=finding.row)
    if column:
        where += ", " + _("column {column}").format(column=column)
    return where


def finding_line(finding: Finding, letters: dict[str, dict[str, str]] | None = None) -> str:
    """A finding as one line for the terminal, in the current language (control characters
    made visible)."""
    value = (" " + _("value {value}:").format(value=repr(_shorten(finding.value)))
             if finding.value != "" else "")
    return _("{severity}: {place}:{value} {message} (rule: {rule})").format(
        severity=severity_label(finding.severity), place=finding_place(finding, letters),
        value=value, message=_printable(finding.message),
        rule=_printable(finding.rule_words))


#: Repeated findings of one cause are shown on one line from this many on.
GROUP_FROM = 4
#: ... naming this many of their places.
FIRST_PLACES = 3
#: Rules whose findings are one cause per enterprise (the message names the enterprise).
_BY_ENTERPRISE = {RuleCode.MISSING_MONTH, RuleCode.COMPARISON_ROWS,
                  RuleCode.COMPARISON_ROWS_UNUSED, RuleCode.MONTH_APART}


def finding_groups(findings: list[Finding]) -> list[list[Finding]]:
    """The findings grouped by cause, in the order of their first finding.

    An enterprise id missing from the enterprises table is one cause however many rows
    on however many sheets use it; otherwise the findings of one rule in one column of
    one table (and, for rules about one enterprise, of one enterprise) are one cause
    when there are at least :data:`GROUP_FROM` of them, else each is its own.
    """
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        if f.rule == RuleCode.UNKNOWN_ENTERPRISE:
            key = ("enterprise", f.severity, f.value)
        else:
            key = ("column", f.severity, f.file, f.column, f.rule,
                   f.enterprise_id if f.rule in _BY_ENTERPRISE else "")
        groups.setdefault(key, []).append(f)
    out: list[list[Finding]] = []
    for key, group in groups.items():
        if key[0] == "enterprise" or len(group) >= GROUP_FROM:
            out.append(group)
        else:
            out.extend([f] for f in group)
    return out


def finding_lines(findings: list[Finding], letters: dict[str, dict[str, str]] | None = None,
                  workbook: str | None = None) -> list[str]:
    """The findings as lines for the terminal, one line per cause (:func:`finding_groups`):
    the first finding, the count and the first places.  Every finding is still in
    ``quality_log.csv``."""
    letters = letters or {}
    lines = []
    for group in finding_groups(findings):
        first = group[0]
        if first.rule == RuleCode.UNKNOWN_ENTERPRISE and len(group) > 1:
            lines.append(_unknown_enterprise_line(group, letters, workbook))
        elif len(group) > 1:
            lines.append(finding_line(first, letters) + " " + _more_like_it(group[1:], letters))
        else:
            lines.append(finding_line(first, letters))
    return lines


def _more_like_it(rest: list[Finding], letters: dict[str, dict[str, str]]) -> str:
    """``[and 9 more rows like it: 3, 4, 5, …]`` (cells of a workbook, values of findings
    without a row)."""
    n = len(rest)
    first = rest[0]
    letter = letters.get(first.file, {}).get(first.column) if first.row is not None else None
    if first.row is None:
        places = [_printable(_shorten(f.value)) for f in rest]
        text = ngettext("[and {n} more like it: {places}]", "[and {n} more like it: {places}]",
                        n)
    elif letter:
        places = [f"{letter}{f.row}" for f in rest]
        text = ngettext("[and {n} more cell like it: {places}]",
                        "[and {n} more cells like it: {places}]", n)
    else:
        places = [str(f.row) for f in rest]
        text = ngettext("[and {n} more row like it: {places}]",
                        "[and {n} more rows like it: {places}]", n)
    shown = ", ".join(places[:FIRST_PLACES]) + (", …" if n > FIRST_PLACES else "")
    return text.format(n=n, places=shown)


def _unknown_enterprise_line(group: list[Finding], letters: dict[str, dict[str, str]],
                             workbook: str | None) -> str:
    first = group[0]
    places, cells = [], []
    for f in group:
        sheet = _SHEET.match(f.file) if f.file in letters else None
        places.append(sheet["sheet"] if sheet else f.file)
        letter = letters.get(f.file, {}).get(f.column) if sheet else None
        cells.append(f"{sheet['sheet']}!{letter}{f.row}" if letter else
                     _("{place} row {row}").format(place=places[-1], row=f.row))
    tables = list(dict.fromkeys(places))
    shown = ", ".join(cells[:FIRST_PLACES])
    if workbook is not None:
        table = _("the enterprises sheet")
        spread = ngettext("{n} sheet", "{n} sheets", len(tables)).format(n=len(tables))
    else:
        table = "enterprises.csv"
        spread = ngettext("{n} file", "{n} files", len(tables)).format(n=len(tables))
    message = _("enterprise '{enterprise}' is missing from {table}; used by {rows} on "
                "{spread}, first: {first}").format(
        enterprise=_printable(_shorten(first.value)), table=table,
        rows=ngettext("{n} row", "{n} rows", len(group)).format(n=len(group)),
        spread=spread, first=shown)
    suggestion = first.params.get("suggestion")
    if suggestion:
        message += _("; did you mean '{suggestion}'?").format(suggestion=suggestion)
    return _("{severity}: {message} (rule: {rule})").format(
        severity=severity_label(first.severity), message=message, rule=first.rule_words)


def cause_counts(findings: list[Finding]) -> dict[str, int]:
    """How many causes (lines of :func:`finding_lines`) of each severity."""
    counts = {str(s): 0 for s in Severity}
    for group in finding_groups(findings):
        counts[str(group[0].severity)] += 1
    return counts


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _printable(text: str) -> str:
    """``text`` with line breaks, escapes and other control characters shown as ``\\x..``."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
