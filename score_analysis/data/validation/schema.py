"""The rules a table's columns declare, as a pandera schema built from the contract.

Every rule a column or a pair of columns declares (docs/data_contract.md) is one pandera
check: a pattern, a minimum, a maximum and a length on the column that declares it; a
column "at most" another, an ordered pair and a column bounded by two others on the
whole table.  Each check is named by its :class:`RuleCode` and identified by its
``error`` (the rule in words, unique in its schema); the schema's ``metadata`` maps that
identifier to a :class:`DeclaredCheck` (the code, the column whose cells are reported,
the values of the message), so that every failure case of a lazy validation maps back to
a cell and a finding (:func:`score_analysis.data.validation.rules.check_declared`).

One schema per table declaration, built when first needed and kept: nothing here names
a table, and a rule added to the contract is checked without a change here.  pandera is
imported when the first schema is built, never by the modules that only read results.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..contract import ENTERPRISE_ID_PATTERN, RuleCode, Table

if TYPE_CHECKING:
    import pandera.pandas as pa

#: The kinds of column whose typed values are text (patterns and lengths apply to them).
TEXT_KINDS = ("text", "choice", "month")
#: The kinds of column whose typed values are numbers (bounds apply to them).
NUMBER_KINDS = ("integer", "number")


@dataclass(frozen=True)
class DeclaredCheck:
    """What a failure of one check of the schema is reported as.

    ``code`` is the rule, ``column`` the column whose cell is reported, ``params`` the
    values of the message that are the same in every row, and ``row_values`` the values
    read from the row that fails, as ``(param, column)`` pairs (the bound of an "at most"
    rule, the scale of a bounded score).
    """

    code: RuleCode
    column: str
    params: Mapping[str, object] = field(default_factory=dict)
    row_values: tuple[tuple[str, str], ...] = ()


def _not_above(frame: pd.DataFrame, *, column: str, bound: str) -> pd.Series:
    """``column <= bound`` in every row where both are filled."""
    if column not in frame.columns or bound not in frame.columns:
        return pd.Series(True, index=frame.index)
    return ~(frame[column].astype("float64") > frame[bound].astype("float64"))


def _below(frame: pd.DataFrame, *, low: str, high: str) -> pd.Series:
    """``low < high`` in every row where both are filled."""
    return ~(frame[low].astype("float64") >= frame[high].astype("float64"))


def _within(frame: pd.DataFrame, *, column: str, low: str, high: str) -> pd.Series:
    """``low <= column <= high`` in every row where all three are filled and the scale is
    ordered (an unordered scale is reported by its own rule)."""
    value = frame[column].astype("float64")
    lo, hi = frame[low].astype("float64"), frame[high].astype("float64")
    return ~((lo < hi) & ((value < lo) | (value > hi)))


def _kind_allows(spec: Table, column: str, kind: str, kinds: tuple[str, ...],
                 rule: str) -> None:
    if kind not in kinds:
        raise ValueError(f"{spec.name}.{column} declares {rule}, which a {kind} column cannot "
                         f"have (only {', '.join(kinds)} columns)")


@functools.cache
def table_schema(spec: Table) -> pa.DataFrameSchema:
    """The pandera schema of every rule the columns of ``spec`` declare.

    Column checks: ``pattern`` (the whole text matches), ``minimum``, ``maximum`` and
    ``max_length``; table checks: ``at_most`` (a column not above another of its row),
    ``ordered`` (``low < high``) and ``within`` (``low <= column <= high``).  A blank cell
    passes every check.  The schema's ``metadata`` maps each check's ``error`` to its
    :class:`DeclaredCheck`, in the order the findings are reported.  Built once per
    declaration.

    Raises
    ------
    ValueError
        When a rule is declared on a column of a kind it cannot apply to (a pattern on a
        number, a bound on a date).
    """
    import pandera.pandas as pa

    declared: dict[str, DeclaredCheck] = {}
    columns: dict[str, list] = {}
    frame_checks = []

    def add(key: str, check: DeclaredCheck, make, column: str | None = None) -> None:
        if key in declared:  # the same rule declared twice is checked once
            return
        declared[key] = check
        made = make(name=str(check.code), error=key)
        if column is None:
            frame_checks.append(made)
        else:
            columns.setdefault(column, []).append(made)

    for col in spec.columns:
        name = col.name
        if col.pattern:
            _kind_allows(spec, name, col.kind, TEXT_KINDS, "a pattern")
            code = RuleCode.ENTERPRISE_ID if col.pattern == ENTERPRISE_ID_PATTERN else (
                RuleCode.PATTERN)
            add(f"{code}: {name} matches {col.pattern}",
                DeclaredCheck(code, name, {"pattern": col.pattern}),
                functools.partial(pa.Check.str_matches, rf"(?:{col.pattern})\Z"), name)
        if col.minimum is not None:
            _kind_allows(spec, name, col.kind, NUMBER_KINDS, "a minimum")
            add(f"{RuleCode.MINIMUM}: {name} ≥ {col.minimum:g}",
                DeclaredCheck(RuleCode.MINIMUM, name, {"minimum": float(col.minimum)}),
                functools.partial(pa.Check.ge, col.minimum), name)
        if col.maximum is not None:
            _kind_allows(spec, name, col.kind, NUMBER_KINDS, "a maximum")
            add(f"{RuleCode.MAXIMUM}: {name} ≤ {col.maximum:g}",
                DeclaredCheck(RuleCode.MAXIMUM, name, {"maximum": float(col.maximum)}),
                functools.partial(pa.Check.le, col.maximum), name)
        if col.max_length:
            _kind_allows(spec, name, col.kind, TEXT_KINDS, "a length")
            add(f"{RuleCode.TEXT_TOO_LONG}: {name} at most {col.max_length} characters",
                DeclaredCheck(RuleCode.TEXT_TOO_LONG, name, {"limit": col.max_length}),
                functools.partial(pa.Check.str_length, max_value=col.max_length), name)
        if col.at_most:
            add(f"{RuleCode.AT_MOST}: {name} ≤ {col.at_most}",
                DeclaredCheck(RuleCode.AT_MOST, name, {"column": name, "bound": col.at_most},
                              row_values=(("bound_value", col.at_most),)),
                functools.partial(pa.Check, _not_above, column=name, bound=col.at_most,
                                  ignore_na=False))
    for rule in spec.ordered:
        add(f"{RuleCode.SCALE_ORDER}: {rule.low} < {rule.high}",
            DeclaredCheck(RuleCode.SCALE_ORDER, rule.high, {"low": rule.low, "high": rule.high}),
            functools.partial(pa.Check, _below, low=rule.low, high=rule.high, ignore_na=False))
    for rule in spec.within:
        add(f"{RuleCode.WITHIN_SCALE}: {rule.low} ≤ {rule.column} ≤ {rule.high}",
            DeclaredCheck(RuleCode.WITHIN_SCALE, rule.column,
                          {"column": rule.column, "low": rule.low, "high": rule.high},
                          row_values=(("low_value", rule.low), ("high_value", rule.high))),
            functools.partial(pa.Check, _within, column=rule.column, low=rule.low,
                              high=rule.high, ignore_na=False))
    return pa.DataFrameSchema(
        {name: pa.Column(checks=checks, nullable=True, required=False)
         for name, checks in columns.items()},
        checks=frame_checks, name=spec.name, coerce=False, strict=False, metadata=declared)


def declared_checks(schema: pa.DataFrameSchema) -> Mapping[str, DeclaredCheck]:
    """The :class:`DeclaredCheck` of each check of a :func:`table_schema`, by its
    ``error``, in the order the findings are reported."""
    return schema.metadata


def failing_rows(typed: pd.DataFrame, schema: pa.DataFrameSchema) -> dict[str, pd.Index]:
    """The index labels of the rows of ``typed`` that fail each check of ``schema`` (by the
    check's ``error``; a check that passes everywhere is absent), from one lazy
    validation of the data, whatever pandera's own settings say.

    Raises
    ------
    RuntimeError
        When a check could not run on the table (its failure case is an exception, not a
        row): a rule of the contract that the typed table cannot be checked against.
    """
    from pandera.config import ValidationDepth, config_context
    from pandera.errors import SchemaErrors

    try:
        # the data is checked whatever pandera's settings (PANDERA_VALIDATION_ENABLED=False
        # or a schema-only depth would pass every row)
        with config_context(validation_enabled=True,
                            validation_depth=ValidationDepth.SCHEMA_AND_DATA):
            schema.validate(typed, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return {}
    known = cases["check"].isin(list(declared_checks(schema)))
    broken = ~known | cases["index"].isna()
    if broken.any():
        case = cases[broken].iloc[0]
        raise RuntimeError(f"the check {case['check']!r} of {schema.name} could not run on "
                           f"the typed table: {case['failure_case']}")
    return {str(key): pd.Index(rows.unique())
            for key, rows in cases.groupby("check", sort=False)["index"]}
