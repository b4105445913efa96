"""The rules the contract declares, checked on the typed tables: patterns, bounds,
lengths, "at most" relations, ordered and bounded column pairs (by the table's pandera
schema, :mod:`.schema`), columns filled for one role and blank for another, unique keys,
known enterprises, and what the rows of a comparison enterprise may be.  Nothing here is
keyed on a table's name: each check reads its table's declarations
(:mod:`score_analysis.data.contract`)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..contract import COMPARISON, ENTERPRISE_ID_PATTERN, ENTERPRISES, TABLES, RuleCode, Table
from ..findings import WARNING, Finding
from ..readers import ROW, RawData, RawTable
from .cells import Cells, column_cells
from .schema import DeclaredCheck, declared_checks, failing_rows, table_schema
from .suggestions import enterprise_suggestion


def shown(value: object) -> str:
    """A typed value as text (a whole float without ``.0``, a date without its time)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def check_declared(typed: pd.DataFrame, spec: Table, table: RawTable,
                   findings: list[Finding], known_ids: list[str]) -> None:
    """Every rule a column or a pair of columns of ``spec`` declares, checked by the
    table's pandera schema (:func:`.schema.table_schema`): one finding per failing cell,
    in the order the rules are declared, a malformed ``enterprise_id`` with the known id
    it was probably meant to be."""
    schema = table_schema(spec)
    failing = failing_rows(typed, schema)
    if not failing:
        return
    for key, check in declared_checks(schema).items():
        rows = failing.get(key)
        if rows is None or check.column not in table.frame.columns:
            continue
        column_cells(table, check.column).report(
            pd.Series(typed.index.isin(rows), index=typed.index), check.code, findings,
            params=functools.partial(_params, check, typed, known_ids))


def _params(check: DeclaredCheck, typed: pd.DataFrame, known_ids: list[str], text: str,
            index: object) -> dict:
    """The values of the message of one failing cell: the check's, those read from its
    row, and for a malformed enterprise id the id it was probably meant to be."""
    params = dict(check.params)
    for name, column in check.row_values:
        params[name] = float(typed.at[index, column])
    if check.code == RuleCode.ENTERPRISE_ID and (found := enterprise_suggestion(text, known_ids)):
        params["suggestion"] = found
    return params


def check_filled_for(typed: pd.DataFrame, spec: Table, table: RawTable,
                     findings: list[Finding]) -> None:
    """Columns that must be filled, or blank, depending on another column (a programme
    enterprise has an intervention month, a comparison enterprise none)."""
    for rule in spec.filled_for:
        by = typed[rule.by]
        if rule.column in table.frame.columns:
            cells = column_cells(table, rule.column)
        else:  # an optional column left out: every cell blank
            cells = Cells(table, rule.column, pd.Series("", index=typed.index),
                          table.frame[ROW], None, pd.Series(False, index=typed.index))
        cells.report(by.isin(rule.filled) & cells.blank, rule.missing, findings)
        cells.report(by.isin(rule.blank) & ~cells.blank, rule.present, findings)


def check_unique(frame: pd.DataFrame, spec: Table, source: str,
                 findings: list[Finding]) -> None:
    """The table's key, and every other declared unique set, once each."""
    for keys in ((spec.key,) if spec.key else ()) + spec.unique:
        sub = frame.dropna(subset=list(keys))
        dup = sub.duplicated(list(keys), keep=False)
        if not dup.any():
            continue
        first_row = sub[dup].groupby(list(keys), sort=False)[ROW].transform("min")
        for idx in sub.index[dup.to_numpy()]:
            row = int(sub.at[idx, ROW])
            if row == int(first_row.at[idx]):
                continue
            findings.append(Finding(
                file=source, row=row, column=keys[-1],
                value=", ".join(shown(sub.at[idx, k]) for k in keys), rule=RuleCode.DUPLICATE_KEY,
                params={"columns": ", ".join(keys), "first_row": int(first_row.at[idx])}))


def known_ids(raw: RawData) -> list[str]:
    """The enterprise ids of the enterprises table as typed (for "did you mean")."""
    table = raw.tables.get(ENTERPRISES.name)
    if table is None or "enterprise_id" not in table.frame.columns:
        return []
    ids = table.frame["enterprise_id"].astype(str)
    return sorted(set(ids[ids.str.fullmatch(ENTERPRISE_ID_PATTERN)]))


def check_enterprises_known(tables: dict[str, pd.DataFrame], sources: dict[str, str],
                            raw: RawData, findings: list[Finding]) -> None:
    """Every well-formed ``enterprise_id`` of another table is in the enterprises table
    (a malformed one is reported once, by its pattern)."""
    if ENTERPRISES.name not in tables:
        return
    known = set(tables[ENTERPRISES.name]["enterprise_id"].dropna())
    for name, frame in tables.items():
        if name == ENTERPRISES.name or "enterprise_id" not in frame.columns:
            continue
        ids = frame["enterprise_id"]
        well_formed = ids.notna() & ids.astype(str).str.fullmatch(ENTERPRISE_ID_PATTERN)
        unknown = well_formed & ~ids.isin(known)
        for row, value in zip(frame.loc[unknown, ROW], frame.loc[unknown, "enterprise_id"],
                              strict=True):
            suggestion = enterprise_suggestion(str(value), sorted(known))
            findings.append(Finding(
                file=sources[name], row=int(row), column="enterprise_id", value=str(value),
                rule=RuleCode.UNKNOWN_ENTERPRISE,
                params={"workbook": raw.workbook is not None,
                        **({"suggestion": suggestion} if suggestion else {})}))


def check_comparison_rows(tables: dict[str, pd.DataFrame], sources: dict[str, str],
                          findings: list[Finding]) -> None:
    """Rows of comparison enterprises in tables that say what to do with them: an error
    where they make no sense (programme milestones, implementation records), one warning
    per enterprise and table where they are kept but not analysed (5S audits, survey)."""
    ents = tables.get(ENTERPRISES.name)
    if ents is None or "role" not in ents.columns:
        return
    comparison = set(ents.loc[ents["role"] == COMPARISON, "enterprise_id"].dropna())
    if not comparison:
        return
    for name, frame in tables.items():
        spec = TABLES[name]
        if spec.comparison_rows not in ("forbidden", "unused") or "enterprise_id" not in frame:
            continue
        theirs = frame[frame["enterprise_id"].isin(comparison)]
        if spec.comparison_rows == "forbidden":
            for row, eid in zip(theirs[ROW], theirs["enterprise_id"], strict=True):
                findings.append(Finding(file=sources[name], row=int(row), column="enterprise_id",
                                        value=str(eid), rule=RuleCode.COMPARISON_ROWS,
                                        params={"enterprise": str(eid), "table": name},
                                        enterprise_id=str(eid)))
            continue
        for eid, rows in theirs.groupby("enterprise_id", sort=True):
            findings.append(Finding(file=sources[name], row=int(rows[ROW].min()),
                                    column="enterprise_id", value=str(eid),
                                    rule=RuleCode.COMPARISON_ROWS_UNUSED, severity=WARNING,
                                    params={"enterprise": str(eid), "table": name,
                                            "n": len(rows)},
                                    enterprise_id=str(eid)))
