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
NOTE_TEXTS: dict[str, str] = {
    "too_few_events": N_("too few events ({before} before, {after} after; a model needs "
                         "{needed} on each side)"),
}

# The notes of the controlled interrupted time series (stats/cits.py).
NOTE_TEXTS.update({
    "cits_comparison": N_("against a comparison series of {members} enterprise(s), with one "
                          "effect per calendar month"),
    "cits_at_last_month": N_("at the last month, {months} months after the start, relative "
                             "to the comparison series"),
    "cits_too_few_months": N_("needs at least {needed} months before and {needed} after in "
                              "which both the enterprise and the comparison series have "
                              "data; has {before} before and {after} after"),
    "cits_too_few_comparison_events": N_("too few events in the comparison series ({before} "
                                         "before, {after} after; a model needs {needed} on "
                                         "each side)"),
    "cits_too_few_rows": N_("{rows} rows are too few for the {coefficients} coefficients of "
                            "the model with the comparison series"),
    "cits_months_without_comparison": N_("{months} month(s) of the enterprise without data "
                                         "from the comparison series left out"),
    "cits_empty_months": N_("{months} month(s) without any event in either series carry no "
                            "information"),
    "cits_not_estimable": N_("the model with the comparison series has no finite estimate "
                             "(the events are confined to part of a series)"),
    "cits_did_not_converge": N_("the model with the comparison series did not converge"),
    "cits_unbounded": N_("the interval is unbounded: the data cannot pin down this effect"),
    "cits_not_tracked": N_("not tracked: the enterprise has no month of this indicator"),
})

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
