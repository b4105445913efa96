"""Findings: one line of the data-quality log per problem found in the input
(docs/data_contract.md), with the place, the value, the rule and the message."""

from __future__ import annotations

from dataclasses import dataclass

#: The columns of reports/quality_log.csv (docs/analysis_plan.md §10).
QUALITY_COLUMNS = ("file", "row", "column", "value", "rule", "severity", "message")


#: Longest value kept in a finding (a 1 MB cell is shortened, not copied around).
VALUE_MAX = 200


@dataclass(frozen=True)
class Finding:
    """One line of the data-quality log (docs/data_contract.md).

    ``row`` is the row as the user sees it in a spreadsheet (header = row 1),
    or ``None`` when the finding concerns the whole file or column.
    ``enterprise_id`` names the enterprise of the record (blank when the finding
    is not about one enterprise); it goes to ``quality_log.parquet`` so that each
    report shows its own findings, not to the §7 ``quality_log.csv``.
    ``severity`` is ``error`` (stops the run), ``warning`` or ``info``
    (noise that was cleaned, logged for the record).  ``value`` is kept to at
    most :data:`VALUE_MAX` characters.
    """

    file: str
    row: int | None
    column: str
    value: str
    rule: str
    severity: str
    message: str
    enterprise_id: str = ""  # the enterprise the finding concerns, when it concerns one

    def __post_init__(self) -> None:
        if len(self.value) > VALUE_MAX:
            object.__setattr__(self, "value", _shorten(self.value, VALUE_MAX))

    def line(self) -> str:
        """The finding as one line for the terminal (control characters made visible)."""
        where = _printable(self.file)
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {_printable(self.column)}"
        value = f" value {_shorten(self.value)!r}:" if self.value != "" else ""
        return (f"{self.severity}: {where}:{value} {_printable(self.message)} "
                f"(rule: {_printable(self.rule)})")


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _printable(text: str) -> str:
    """``text`` with line breaks, escapes and other control characters shown as ``\\x..``."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
