"""Values read by a declaration elsewhere: survey answers by their codebook item (a whole
number within the item's scale), implementation values by their item (a count within its
bounds, or yes/no), the visits of the implementation records, and the implementation's
derived form per enterprise and visit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import BOOLEAN_FALSE, BOOLEAN_TRUE, IMPLEMENTATION_ITEMS, VISITS, RuleCode, Table
from ..findings import WARNING, Finding
from ..readers import ROW, RawData, RawTable
from .cells import column_cells, read_numbers, whole_numbers
from .rules import shown
from .suggestions import likert_suggestion


def check_answers(typed: pd.DataFrame, spec: Table, source: str, raw: RawData,
                  codebook: pd.DataFrame | None, findings: list[Finding]) -> pd.DataFrame:
    """Read every column after the declared ones as an item of the codebook: the item
    must be in the codebook, its answers whole numbers within the item's scale.  Returns
    the table with the answers as ``Int64`` (missing where not valid)."""
    rule = spec.answers
    if rule is None:
        raise ValueError(f"{spec.name} declares no answers")
    table = raw.tables[spec.name]
    base = set(spec.column_names) | {ROW}
    items = [c for c in typed.columns if c not in base]
    if codebook is None:
        if rule.codebook not in raw.unreadable:
            findings.append(Finding(file=raw.shown_name(rule.codebook),
                                    rule=RuleCode.CODEBOOK_MISSING,
                                    params={"table": spec.name, "codebook": rule.codebook}))
        return typed
    book = codebook.dropna(subset=[rule.item]).drop_duplicates(rule.item).set_index(rule.item)
    out = typed.copy()
    for item in items:
        if item not in book.index:
            findings.append(Finding(file=source, row=1, column=item, value=item,
                                    rule=RuleCode.ITEM_NOT_IN_CODEBOOK,
                                    params={"codebook": rule.codebook}))
            out = out.drop(columns=[item])
            continue
        low, high = book.at[item, rule.low], book.at[item, rule.high]
        scale = f"{shown(low)}-{shown(high)}"
        cells = column_cells(table, item)

        def in_words(value: str, idx: object, lo=low, hi=high, scale=scale) -> tuple:
            number = (likert_suggestion(value, float(lo), float(hi))
                      if pd.notna(lo) and pd.notna(hi) else None)
            return RuleCode.ANSWER_WHOLE_NUMBER, {
                "scale": scale, "decimal": table.decimal, "workbook": table.from_excel,
                **({"suggestion": number} if number is not None else {})}

        values = read_numbers(cells, findings, not_a_number=in_words)
        answers = whole_numbers(cells, values, findings, rule=RuleCode.ANSWER_WHOLE_NUMBER,
                                params={"scale": scale})
        if pd.notna(low) and pd.notna(high):
            outside = answers.notna() & ((answers < low) | (answers > high))
            cells.report(outside.fillna(False).astype(bool), RuleCode.ANSWER_IN_SCALE,
                         findings, params={"scale": scale})
            answers = answers.where(~outside.fillna(False).astype(bool))
        out[item] = answers
    return out


def check_items(typed: pd.DataFrame, spec: Table, table: RawTable,
                findings: list[Finding]) -> pd.DataFrame:
    """Read a long table's ``value`` column by the item of its row: a whole number within
    the item's bounds, or yes/no (yes = 1, no = 0); an item bounded by another is checked
    within the same enterprise and visit, and each visit keeps one date, in order.
    Returns the table with ``value`` as a number (missing where not valid)."""
    by = spec.by_item
    if by is None:
        raise ValueError(f"{spec.name} declares no values read by item")
    cells = column_cells(table, by.value)
    item = typed[by.item]
    values = pd.Series(np.nan, index=typed.index, dtype="float64")
    for declared in spec.items:
        of = (item == declared.name) & ~cells.blank
        if not of.any():
            continue
        mine = cells.subset(of)
        if declared.kind == "boolean":
            low = mine.text.str.lower()
            truth, falsity = low.isin(BOOLEAN_TRUE), low.isin(BOOLEAN_FALSE)
            mine.report(~truth & ~falsity, RuleCode.YES_NO, findings,
                        params={"item": declared.name})
            values[of] = np.where(truth, 1.0, np.where(falsity, 0.0, np.nan))
            continue
        numbers = read_numbers(mine, findings)
        whole = whole_numbers(mine, numbers, findings).astype("float64")
        if declared.minimum is not None:
            low_ = whole < declared.minimum
            mine.report(low_.fillna(False), RuleCode.MINIMUM, findings,
                        params={"minimum": float(declared.minimum)})
            whole = whole.where(~low_.fillna(False))
        if declared.maximum is not None:
            high = whole > declared.maximum
            mine.report(high.fillna(False), RuleCode.MAXIMUM, findings,
                        params={"maximum": float(declared.maximum)})
            whole = whole.where(~high.fillna(False))
        values[of] = whole
    group = ["enterprise_id", by.visit]
    for declared in spec.items:
        if not declared.at_most:
            continue
        mine = typed.loc[item == declared.name, group].assign(value=values[item == declared.name])
        mine["at"] = mine.index
        bound = typed.loc[item == declared.at_most, group].assign(
            bound=values[item == declared.at_most])
        both = mine.merge(bound.drop_duplicates(group), on=group, how="inner")
        over = both[both["value"] > both["bound"]]
        at = pd.Series(False, index=typed.index)
        at[over["at"].to_numpy()] = True
        bounds = dict(zip(over["at"], over["bound"], strict=True))
        cells.report(at, RuleCode.ITEM_AT_MOST, findings,
                     params=lambda v, i, d=declared, b=bounds: {
                         "item": d.name, "bound": d.at_most, "value": float(values.at[i]),
                         "bound_value": float(b[i])})
    _check_visits(typed, by.visit, by.date, table.source, findings)
    out = typed.copy()
    out[by.value] = values
    return out


def _check_visits(typed: pd.DataFrame, visit: str, date: str, source: str,
                  findings: list[Finding]) -> None:
    """Warnings: a visit of an enterprise recorded with different dates, and visits whose
    dates are not in the order of the visits (a typed date)."""
    rows = typed.dropna(subset=["enterprise_id", visit, date])
    order = {v: i for i, v in enumerate(VISITS)}
    for eid, mine in rows.groupby("enterprise_id", sort=True):
        firsts = []
        for name, one in mine.groupby(visit, sort=False):
            dates = sorted(set(one[date]))
            first_row = int(one[ROW].min())
            if len(dates) > 1:
                findings.append(Finding(
                    file=source, row=first_row, column=date,
                    value=shown(one[date].iloc[0]), rule=RuleCode.VISIT_DATES_DIFFER,
                    severity=WARNING, enterprise_id=str(eid),
                    params={"visit": name, "enterprise": str(eid),
                            "dates": ", ".join(shown(d) for d in dates)}))
            firsts.append((order.get(name, len(order)), name, dates[0], first_row))
        firsts.sort()
        for (_, earlier, earlier_date, _), (_, later, later_date, row) in zip(
                firsts, firsts[1:], strict=False):
            if later_date < earlier_date:
                findings.append(Finding(
                    file=source, row=row, column=date, value=shown(later_date),
                    rule=RuleCode.VISITS_OUT_OF_ORDER, severity=WARNING,
                    enterprise_id=str(eid),
                    params={"visit": later, "enterprise": str(eid), "date": shown(later_date),
                            "earlier": earlier, "earlier_date": shown(earlier_date)}))


def implementation_by_visit(implementation: pd.DataFrame) -> pd.DataFrame:
    """The validated ``implementation`` table (long) as one row per enterprise and visit.

    Columns: ``enterprise_id``, ``visit`` (in the order baseline, visit_1, visit_2,
    visit_3, final_workshop), ``date`` (the earliest date recorded for the visit), one
    column per item (``Int64`` counts and rating, ``boolean`` yes/no; missing when not
    recorded), ``action_completion`` = actions_done / actions_planned and
    ``eit_worker_share`` = eit_worker_members / eit_members (missing when the
    denominator is missing or zero).  Descriptive only (docs/data_contract.md).
    """
    items = [i.name for i in IMPLEMENTATION_ITEMS]
    base = implementation.dropna(subset=["enterprise_id", "visit"])
    keys = base.groupby(["enterprise_id", "visit"], sort=False)["date"].min().reset_index()
    wide = base.pivot_table(index=["enterprise_id", "visit"], columns="item", values="value",
                            aggfunc="first", dropna=False, observed=True)
    wide = wide.reindex(columns=items).reset_index()
    out = keys.merge(wide, on=["enterprise_id", "visit"], how="left")
    for item in IMPLEMENTATION_ITEMS:
        col = out[item.name].astype("float64")
        out[item.name] = (col.map(lambda v: pd.NA if pd.isna(v) else bool(v)).astype("boolean")
                          if item.kind == "boolean" else col.round().astype("Int64"))
    planned = out["actions_planned"].astype("float64")
    members = out["eit_members"].astype("float64")
    out["action_completion"] = out["actions_done"].astype("float64") / planned.where(planned > 0)
    out["eit_worker_share"] = (out["eit_worker_members"].astype("float64")
                               / members.where(members > 0))
    order = {v: i for i, v in enumerate(VISITS)}
    out = out.sort_values(["enterprise_id", "visit"], key=lambda c: c.map(order)
                          if c.name == "visit" else c, kind="stable")
    return out[["enterprise_id", "visit", "date", *items, "action_completion",
                "eit_worker_share"]].reset_index(drop=True)
