"""CSV files: encoding, separator and decimal mark, records."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..contract import TABLES, RuleCode
from ..findings import INFO, WARNING, Finding
from .raw import RawTable
from .records import records_to_frame

_UTF8_BOM = b"\xef\xbb\xbf"
MAX_FILE_BYTES = 200 * 1024 * 1024


def read_csv_table(path: Path, table: str, findings: list[Finding]) -> RawTable | None:
    """One contract table from a CSV file, or ``None`` (the reason among ``findings``).

    A semicolon-separated file has ``,`` decimals (the Indonesian Excel locale),
    any other ``.`` decimals."""
    name = path.name
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        findings.append(Finding(file=name, value=f"{size} bytes", rule=RuleCode.FILE_SIZE))
        return None
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        findings.append(Finding(file=name, rule=RuleCode.CSV_NOT_WORKBOOK))
        return None
    text = _decode(raw, name, findings)
    if text is None:
        return None
    if not text.strip():
        findings.append(Finding(file=name, rule=RuleCode.EMPTY_FILE))
        return None
    delimiter = _sniff_delimiter(text)
    decimal = "," if delimiter == ";" else "."
    if csv.field_size_limit() < MAX_FILE_BYTES:  # a long cell is a rule break, not a crash
        csv.field_size_limit(MAX_FILE_BYTES)
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        findings.append(Finding(file=name, row=len(records) + 1, rule=RuleCode.UNCLOSED_QUOTE,
                                params={"error": str(exc)}))
        return None
    frame, _kinds = records_to_frame(records, name, delimiter, findings, TABLES[table])
    if frame is None:
        return None
    return RawTable(table, name, str(path), frame, decimal)


def _decode(raw: bytes, name: str, findings: list[Finding]) -> str | None:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
        else:
            findings.append(Finding(file=name, rule=RuleCode.UTF16, severity=INFO))
            return text
    if b"\x00" in raw[:65536]:
        findings.append(Finding(file=name, rule=RuleCode.CSV_BINARY))
        return None
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM):]
        findings.append(Finding(file=name, rule=RuleCode.BOM, severity=INFO))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        findings.append(Finding(file=name, rule=RuleCode.NOT_TEXT))
        return None
    findings.append(Finding(file=name, rule=RuleCode.CP1252, severity=WARNING))
    return text


def _sniff_delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: _count_outside_quotes(header, d) for d in (",", ";", "\t")}
    if counts[";"] > 0 and counts[";"] >= counts[","]:
        return ";"
    if counts["\t"] > counts[","]:
        return "\t"
    return ","


def _count_outside_quotes(line: str, char: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            n += 1
    return n
