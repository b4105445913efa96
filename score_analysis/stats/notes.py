"""Notes on results rows: a language-neutral code with its values, and its English words.

Every note the analysis writes is a :class:`Note`: a code from :data:`NOTE_TEXTS` and the
values its text needs.  ``results.csv`` carries both the English ``note`` (for a reader
of the table) and the ``note_code`` (for the pages, which render the note from the code
in their own language through the translation catalog, with numbers in the page's
locale).  Several notes on one row are joined with ``"; "`` in both columns.

The ``note_code`` of a row is written ``code(name=value,name=value); code``; values are
numbers or short words without ``(),;=`` (months such as ``2010-04`` are fine).

>>> n = note("too_few_events", before=5, after=67, needed=10)
>>> note_text([n])
'too few events (5 before, 67 after; a model needs 10 on each side)'
>>> note_codes([n])
'too_few_events(before=5,after=67,needed=10)'
>>> parse_note_codes(note_codes([n])) == [n]
True

The English texts are marked with ``N_`` so that ``make messages`` extracts them into
the catalog; this module itself translates nothing (the statistics room has no words of
the page's language).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


def N_(text: str) -> str:  # noqa: N802 - the gettext marker the catalog extraction knows
    """Mark ``text`` for the catalog without translating it."""
    return text


#: Every note code and its English text (``str.format`` placeholders name the values).
#: Notes of results rows, of the survey's attrition and reliability tables, of pooled rows
#: and the reasons of the risk-of-bias judgements (codes starting ``rob_``).
NOTE_TEXTS: dict[str, str] = {
    # --- KPI models: why a row has no estimate
    "too_few_events": N_("too few events ({before} before, {after} after; a model needs "
                         "{needed} on each side)"),
    "too_few_months": N_("needs at least {needed} months before and {needed} after; has "
                         "{before} before and {after} after"),
    "too_few_months_for_model": N_("{months} months are too few for the {coefficients} model "
                                   "coefficients"),
    "model_not_estimable": N_("the model could not be estimated"),
    "events_confined": N_("the events are confined to part of the series (fitted counts "
                          "collapse to zero), so the model has no finite estimate"),
    "not_converged": N_("the model did not converge"),
    "interval_unbounded": N_("the interval is unbounded: the data cannot pin down this "
                             "effect"),
    "constant_rate": N_("the rate is the same in every month: no variation, so no "
                        "uncertainty can be estimated"),
    "eid_all_zero": N_("every Idul Fitri month is zero, so the eid effect is not estimable "
                       "and those months carry no weight"),
    # --- KPI models: what a row measures
    "effect_at_last_month": N_("at the last month, {months} months after the start"),
    "sensitivity_harmonic": N_("sensitivity: {pairs} sine/cosine pair(s) of the calendar "
                               "month"),
    "sensitivity_phase_in": N_("sensitivity: the {months} month(s) from the programme start "
                               "left out; the trend after counts from the month after them"),
    "sensitivity_no_eid": N_("sensitivity: {months} Idul Fitri month(s) left out, no eid "
                             "term"),
    "without_comparison_group": N_("sensitivity: the single series, without the comparison "
                                   "group"),
    "naive_step": N_("for comparison: the naive before/after ratio, which ignores any trend"),
    "placebo": N_("placebo: a pretend start in {start}, halfway through the months before the "
                  "programme; the effect at the last month before the programme (expected "
                  "near 1)"),
    "placebo_no_months": N_("placebo: no month before the programme"),
    "exact_rates": N_("exact comparison of the two rates; ignores the trend before the "
                      "programme and overdispersion: a description, not evidence of an "
                      "effect"),
    "events_counted": N_("{before} events before, {after} after"),
    "no_event_before": N_("no event before the programme: the ratio and its upper limit are "
                          "infinite"),
    # --- KPI data
    "months_left_out": N_("{months} month(s) without a numerator or a non-zero exposure left "
                          "out"),
    "records_left_out": N_("{months} month(s) of the enterprise's records without "
                           "{numerator} or with no {exposure} left out"),
    "no_usable_month": N_("no month with both numerator and a non-zero exposure"),
    "not_tracked": N_("not tracked: no month with both {numerator} and a non-zero "
                      "{exposure}"),
    # --- 5S
    "five_s_not_independent": N_("checklist items of one audit are not independent: a "
                                 "description of consistency, not evidence of an effect"),
    "five_s_change": N_("descriptive: the 5S index of the last audit ({last}) minus the first "
                        "({first}), in points; not tested"),
    "no_five_s_audit": N_("no 5S audit"),
    "needs_two_audits": N_("needs at least two audits (first and last); has {audits}"),
    "too_few_items_in_both": N_("needs at least 2 items scored in both the first and the last "
                                "audit; has {items}"),
    "needs_three_audits": N_("needs at least 3 audits; has {audits}"),
    "too_few_items_in_every": N_("needs at least 2 items scored in every audit; has {items}"),
    "no_five_s_index": N_("the first or the last audit does not score all five pillars, so "
                          "it has no 5S index"),
    # --- tests of scores
    "constant_differences": N_("every difference equals {value}: no variance, so the t test "
                               "is undefined"),
    "zero_differences": N_("every difference is zero: the signed-rank test is undefined"),
    "constant_groups": N_("both groups are constant: no variance, so the t test is "
                          "undefined"),
    "equal_values": N_("every value is the same: the rank-sum test is undefined"),
    "friedman_all_tied": N_("every item has the same score in every audit: no ranks to "
                            "compare"),
    # --- survey
    "matched_comparison": N_("matched comparison of the {respondents} respondents present in "
                             "both waves"),
    "attrition_sensitivity": N_("all respondents of each wave (attrition sensitivity)"),
    "unmatched_comparison": N_("unmatched comparison: fewer than {min_cell} respondents could "
                               "be matched across waves"),
    "no_survey_answers": N_("no survey answers for this construct"),
    "no_baseline_answers": N_("no baseline survey answers"),
    "no_followup_answers": N_("no follow-up survey answers"),
    "suppressed_small_group": N_("fewer than {min_cell} respondents in a group: suppressed to "
                                 "protect privacy"),
    "matched_mean_hidden": N_("fewer than {min_cell} matched respondents: their mean is not "
                              "shown"),
    "left_mean_hidden": N_("fewer than {min_cell} baseline respondents left: their mean is not "
                           "shown"),
    "reliability_suppressed": N_("fewer than {min_cell} complete answers: suppressed to "
                                 "protect privacy"),
    "alpha_undefined": N_("alpha needs at least 2 items and some variance in the totals"),
    # --- pooling
    "too_few_to_pool": N_("{k} enterprise(s) with an estimate; pooling needs at least "
                          "{needed}"),
    "not_tracked_anywhere": N_("no enterprise tracks this indicator"),
    "tau2_zero": N_("the between-enterprise variance is estimated as 0: the spread between "
                    "enterprises could not be estimated from {k} enterprises (this does not "
                    "show that the effects are equal)"),
    "mean_change_inputs": N_("the mean change of each enterprise's primary comparison: "
                             "{paired} matched (paired t), {welch} unmatched (Welch t)"),
    # --- risk of bias: the reasons of the judgements
    "rob_single_series": N_("one series per indicator and no comparison group: other changes "
                            "at the same time cannot be ruled out"),
    "rob_controlled": N_("a comparison group (controlled interrupted time series) separates "
                         "the programme from changes that hit every enterprise at once"),
    "rob_placebo_hit": N_("the placebo estimate of {indicator} differs from 1 (p = {p}, below "
                          "{alpha}): the trend before the programme was not stable"),
    "rob_no_placebo": N_("no placebo estimate could be computed"),
    "rob_prespecified": N_("the primary estimate (the effect at the last month against the "
                           "earlier trend) is fixed in advance by analysis plan version "
                           "{version} of {date}"),
    "rob_not_prespecified": N_("no pre-specified primary row for {indicator}"),
    "rob_trains_record_keepers": N_("the programme trains the staff who keep the records, so "
                                    "the way months are recorded may have changed with it"),
    "rob_quality_log": N_("quality log: {warnings} warning(s) and {notes} cleaning note(s) for "
                          "this enterprise"),
    "rob_kpi_records": N_("the KPIs are counts from the enterprise's own records, kept by "
                          "staff who know the programme"),
    "rob_survey_self_report": N_("workers report on a programme they took part in"),
    "rob_no_missing_months": N_("no month is missing in any tracked indicator"),
    "rob_missing_months": N_("most incomplete tracked indicator: {indicator}, {missing} of "
                             "{months} months missing (high risk above {high}%, low at or "
                             "below {low}%)"),
    "rob_attrition": N_("{construct}: {answered} of {baseline} baseline respondents answered "
                        "the follow-up (high risk below {threshold}%)"),
    "rob_attrition_unknown": N_("the survey respondents carry no code, so attrition cannot "
                                "be measured"),
    "rob_all_rows_reported": N_("every planned row is reported ({rows} rows), including those "
                                "with too little data"),
    "rob_rows_missing": N_("planned row missing from the results: {indicator} {method}"),
    "rob_harmonic_disagrees": N_("the seasonality sensitivity estimate of {indicator} points "
                                 "the other way from the primary"),
    "rob_harmonic_agrees": N_("the seasonality sensitivity estimate points the same way as "
                              "the primary for every indicator"),
    "rob_harmonic_unavailable": N_("no seasonality sensitivity estimate could be computed"),
    "rob_no_kpi": N_("no monthly KPI data"),
    "rob_no_survey": N_("no survey data"),
}

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_VALUE = re.compile(r"^[^(),;=]*$")
_ITEM = re.compile(r"^(?P<code>[a-z][a-z0-9_]*)(\((?P<args>[^()]*)\))?$")


@dataclass(frozen=True)
class Note:
    """One note: its ``code`` and the ``values`` of its text's placeholders."""

    code: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ValueError(f"a note code is lower-case letters, digits and _, got "
                             f"{self.code!r}")
        if self.code not in NOTE_TEXTS:
            raise ValueError(f"unknown note code {self.code!r}: add it to NOTE_TEXTS")
        for name, value in self.values.items():
            if not _CODE.match(name) or not _VALUE.match(_shown(value)):
                raise ValueError(f"note {self.code}: value {name}={value!r} cannot be coded")
        object.__setattr__(self, "values", dict(self.values))

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((k, _shown(v)) for k, v in self.values.items()))))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Note) and self.code == other.code
                and {k: _shown(v) for k, v in self.values.items()}
                == {k: _shown(v) for k, v in other.values.items()})

    @property
    def text(self) -> str:
        """The English text of the note."""
        return NOTE_TEXTS[self.code].format(**{k: _shown(v) for k, v in self.values.items()})


def note(code: str, **values) -> Note:
    """A :class:`Note` (``note("too_few_events", before=5, after=67, needed=10)``)."""
    return Note(code, values)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def note_text(notes: Iterable[Note]) -> str:
    """The English ``note`` column: the texts joined with ``"; "``."""
    return "; ".join(n.text for n in notes)


def note_codes(notes: Iterable[Note]) -> str:
    """The ``note_code`` column: ``code(name=value,...)`` joined with ``"; "``."""
    out = []
    for n in notes:
        args = ",".join(f"{k}={_shown(v)}" for k, v in n.values.items())
        out.append(f"{n.code}({args})" if args else n.code)
    return "; ".join(out)


def parse_note_codes(text: str | float | None) -> list[Note]:
    """The notes of a ``note_code`` cell (blank or NaN: none).  Values come back as
    text (the pages format numbers in their own locale).

    Raises
    ------
    ValueError
        For a malformed cell or an unknown code.
    """
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return []
    notes = []
    for item in str(text).split(";"):
        m = _ITEM.match(item.strip())
        if not m:
            raise ValueError(f"malformed note code {item.strip()!r}")
        values = {}
        for arg in filter(None, (m.group("args") or "").split(",")):
            name, sep, value = arg.partition("=")
            if not sep:
                raise ValueError(f"malformed note value {arg!r} in {item.strip()!r}")
            values[name.strip()] = value.strip()
        notes.append(Note(m.group("code"), values))
    return notes


def with_notes(row: Mapping, notes: Iterable[Note]) -> dict:
    """A copy of a results ``row`` (a dict with ``note`` and ``note_code``) with ``notes``
    appended to both columns."""
    notes = list(notes)
    out = dict(row)
    if not notes:
        return out
    texts = [t for t in (_cell(out.get("note")), note_text(notes)) if t]
    codes = [c for c in (_cell(out.get("note_code")), note_codes(notes)) if c]
    out["note"], out["note_code"] = "; ".join(texts), "; ".join(codes)
    return out


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)
