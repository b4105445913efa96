"""The analysis settings: every choice of the analysis plan, in one frozen object.

The shipped defaults are the plan (``docs/analysis_plan.md``, version 3).  A researcher
changes a choice by passing another :class:`AnalysisSettings` to the library
(``AnalysisSettings(phase_in_months=6)``), by a TOML file on the command line
(``score-analysis run --plan my_plan.toml``), or by a notebook parameter
(``papermill ... -p phase_in_months 6``).  Nothing in the analysis reads a module
constant for these: the settings are passed explicitly, written whole into
``manifest.json``, and a run whose settings differ from the plan says so on every page.

``score-analysis plan --show`` prints the defaults as TOML::

    plan_version = 3
    plan_date = "2026-12-06"
    alpha = 0.05
    ...

Only this module knows the defaults; every other module takes them from a settings
object.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

#: The indicators (monthly KPIs and survey constructs) whose primary results form the
#: confirmatory family of plan version 3: the programme's own expected improvements.
CONFIRMATORY = ("labour_productivity", "reject_rate", "rework_rate", "absenteeism_rate",
                "communication", "working_conditions")

SeRule = Literal["max", "model", "newey_west"]
Inference = Literal["t", "normal"]


@dataclass(frozen=True)
class AnalysisSettings:
    """Every choice of the analysis plan (the defaults are plan version 3).

    Attributes
    ----------
    plan_version, plan_date
        The version of the plan these settings implement, and its date (ISO).
    alpha
        Significance level: intervals are ``1 - alpha``; a confirmatory row is judged
        improved or worsened when its Holm-adjusted p is below it.
    strong_evidence
        An adjusted p below this is worded "strong evidence" (else "moderate").
    confirmatory
        The indicators whose primary rows form the confirmatory family (Holm/BH).
    min_months_its
        Months needed before and after the start for the segmented (ITS) models.
    min_months_step
        Months needed before and after for the naive step ``rate_ratio_step``.
    min_months_placebo
        Months needed each side of the placebo start.
    min_events
        The events rule: events needed over the months before and over those after.
    phase_in_months
        Months from the programme start left out by the phase-in sensitivity row.
    eid
        Whether the Idul Fitri (Lebaran) indicator may enter the single-series models.
    harmonic_pairs
        Sine/cosine pairs of the calendar month in the seasonality sensitivity row.
    newey_west_lag
        ``None`` for the plan's rule ``floor(4 (n/100)^(2/9))``, else a fixed lag.
    se_rule
        ``max`` (the larger of model-based and Newey-West), ``model`` or ``newey_west``.
    inference
        ``t`` (t with ``n - p`` degrees of freedom, as R's ``summary.glm``) or ``normal``.
    ljung_box_lag
        Lag of the Ljung-Box diagnostic.
    comparison_group
        Use the controlled interrupted time series when the data have comparison series.
    min_cell
        Smallest group of survey respondents whose numbers are shown (privacy); also the
        matched respondents needed for the paired survey comparison.
    min_pooled
        Enterprises needed for a pooled estimate.
    prediction_df_offset
        The prediction interval uses ``k - prediction_df_offset`` degrees of freedom.
    attrition_high
        Risk of bias "incomplete outcome data" (survey) is high when fewer than this share of
        the baseline respondents answered the follow-up.
    missing_months_low, missing_months_high
        Risk of bias "incomplete outcome data" (monthly KPIs) is low when at most the first
        share of the months of every tracked indicator is missing, high when more than the
        second share of one indicator's months is, else unclear.
    """

    plan_version: int = 3
    plan_date: str = "2026-12-06"
    alpha: float = 0.05
    strong_evidence: float = 0.01
    confirmatory: tuple[str, ...] = CONFIRMATORY
    min_months_its: int = 6
    min_months_step: int = 3
    min_months_placebo: int = 4
    min_events: int = 10
    phase_in_months: int = 3
    eid: bool = True
    harmonic_pairs: int = 2
    newey_west_lag: int | None = None
    se_rule: SeRule = "max"
    inference: Inference = "t"
    ljung_box_lag: int = 6
    comparison_group: bool = True
    min_cell: int = 5
    min_pooled: int = 3
    prediction_df_offset: int = 2
    attrition_high: float = 0.70
    missing_months_low: float = 0.10
    missing_months_high: float = 0.20

    def __post_init__(self) -> None:
        object.__setattr__(self, "confirmatory", tuple(self.confirmatory))
        problems = _problems(self)
        if problems:
            raise ValueError("analysis settings: " + "; ".join(problems))

    # ------------------------------------------------------------------ derived

    @property
    def confidence(self) -> float:
        """The confidence level of every interval, ``1 - alpha``."""
        return 1.0 - self.alpha

    def hac_lag(self, n: int) -> int:
        """The Newey-West lag for ``n`` months: the fixed lag, else
        ``floor(4 (n/100)^(2/9))`` (Newey & West 1994)."""
        if n < 1:
            raise ValueError(f"the Newey-West lag needs at least one observation, got {n}")
        if self.newey_west_lag is not None:
            return int(self.newey_west_lag)
        return int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))

    def is_confirmatory(self, indicator: str) -> bool:
        return indicator in self.confirmatory

    # ------------------------------------------------------------------ comparison

    def as_dict(self) -> dict:
        """Every setting by name (for ``manifest.json`` and notebook parameters)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def differences(self, other: AnalysisSettings | None = None) -> list[tuple[str, object,
                                                                             object]]:
        """``(name, value here, value in other)`` for every setting that differs from
        ``other`` (by default the shipped plan)."""
        other = other if other is not None else PLAN
        mine, theirs = self.as_dict(), other.as_dict()
        return [(k, mine[k], theirs[k]) for k in mine if mine[k] != theirs[k]]

    @property
    def is_plan(self) -> bool:
        """True when every setting is the shipped plan's."""
        return not self.differences()

    def replace(self, **changes) -> AnalysisSettings:
        """A copy with ``changes`` (unknown names raise ``ValueError``)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown analysis setting(s) {', '.join(unknown)}; known: "
                             f"{', '.join(sorted(known))}")
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------ TOML

    def to_toml(self) -> str:
        """The settings as TOML (``score-analysis plan --show``), readable by
        :func:`load_settings`."""
        lines = ["# score-analysis analysis settings (docs/analysis_plan.md)"]
        for name, value in self.as_dict().items():
            if value is None:
                lines.append(f"# {name} = (the plan's rule)")
                continue
            lines.append(f"{name} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_mapping(cls, values: dict, *, source: str = "settings") -> AnalysisSettings:
        """Settings from a mapping (TOML table, notebook parameters); every key must be a
        setting, every value of the setting's type."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"{source}: unknown setting(s) {', '.join(unknown)}; known: "
                             f"{', '.join(sorted(known))}")
        typed = {}
        for name, value in values.items():
            typed[name] = _typed(name, value, getattr(PLAN_DEFAULTS, name), source)
        try:
            return cls(**typed)
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _typed(name: str, value: object, default: object, source: str) -> object:
    """``value`` converted to the type of the setting (whose default is ``default``)."""
    def wrong(kind: str) -> ValueError:
        return ValueError(f"{source}: {name} must be {kind}, got {value!r}")

    if name == "newey_west_lag":
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise wrong("a whole number or none")
        try:
            return int(value)
        except ValueError:
            raise wrong("a whole number or none") from None
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise wrong("true or false")
    if isinstance(default, int):
        if isinstance(value, bool):
            raise wrong("a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise wrong("a whole number")
    if isinstance(default, float):
        if isinstance(value, bool):
            raise wrong("a number")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise wrong("a number") from None
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise wrong("a list of names")
        return tuple(value)
    if not isinstance(value, str):
        raise wrong("text")
    return value


def _problems(s: AnalysisSettings) -> list[str]:
    out = []
    if not 0 < s.alpha < 1:
        out.append(f"alpha must lie between 0 and 1, got {s.alpha}")
    if not 0 < s.strong_evidence <= s.alpha:
        out.append(f"strong_evidence must lie in (0, alpha], got {s.strong_evidence}")
    for name in ("min_months_its", "min_months_step", "min_months_placebo", "min_events",
                 "min_cell", "min_pooled"):
        if getattr(s, name) < 1:
            out.append(f"{name} must be at least 1, got {getattr(s, name)}")
    for name in ("phase_in_months", "harmonic_pairs", "prediction_df_offset"):
        if getattr(s, name) < 0:
            out.append(f"{name} must not be negative, got {getattr(s, name)}")
    if s.ljung_box_lag < 1:
        out.append(f"ljung_box_lag must be at least 1, got {s.ljung_box_lag}")
    if s.newey_west_lag is not None and s.newey_west_lag < 0:
        out.append(f"newey_west_lag must not be negative, got {s.newey_west_lag}")
    if s.se_rule not in ("max", "model", "newey_west"):
        out.append(f"se_rule must be max, model or newey_west, got {s.se_rule!r}")
    if s.inference not in ("t", "normal"):
        out.append(f"inference must be t or normal, got {s.inference!r}")
    if not 0 < s.attrition_high <= 1:
        out.append(f"attrition_high must lie in (0, 1], got {s.attrition_high}")
    if not 0 <= s.missing_months_low <= s.missing_months_high <= 1:
        out.append(f"missing_months_low and missing_months_high must satisfy 0 <= low <= high "
                   f"<= 1, got {s.missing_months_low} and {s.missing_months_high}")
    if s.min_pooled < 3 and s.prediction_df_offset >= s.min_pooled:
        out.append("min_pooled must exceed prediction_df_offset (the prediction interval "
                   "needs degrees of freedom)")
    return out


#: The shipped analysis plan (version 3).
PLAN = AnalysisSettings()
PLAN_DEFAULTS = PLAN


def load_settings(path: str | Path) -> AnalysisSettings:
    """Settings from a TOML file: the plan's defaults, changed by the keys the file sets.

    Raises
    ------
    ValueError
        The file cannot be read or parsed, names an unknown setting, or gives a value of
        the wrong type (the message names the file and the setting).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    return AnalysisSettings.from_mapping(values, source=str(path))
