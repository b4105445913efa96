"""The notes the analysis wrote on results rows, in the page's language.

The analysis writes every note twice (:mod:`score_analysis.stats.notes`): ``note``, the
English words, for a reader of ``results.csv``, and ``note_code``, a language-neutral code
with its values (``too_few_events(before=5,after=67,needed=10)``).  The pages render the
note from the code: the code's English text (``NOTE_TEXTS``) goes through the catalog, and
each value is written in the page's locale (numbers with its decimal mark, months and days
with its month names).  Only a row without a readable code falls back to the English
``note``, marked ``lang="en"`` on a page in another language.
"""

from __future__ import annotations

import re

from ..i18n import current_language
from ..i18n import gettext as _
from ..stats.notes import NOTE_TEXTS, Note, parse_note_codes
from .formatting import day, fmt, fmt_count, missing, month_name

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]00:00(:00)?)?$")


def note_value(name: str, value: object) -> str:
    """One value of a note in the page's locale: whole numbers grouped (``1,234`` /
    ``1.234``), other numbers to 3 significant digits (``0.25`` / ``0,25``), months
    ``2010-04`` as ``Apr 2010`` / ``April 2010``, days as ``6 Dec 2010`` /
    ``6 Desember 2010``, names of indicators, methods and record columns in words,
    ``true``/``false`` as yes/no; anything else as written."""
    from .wording.names import column_label, indicator_name, method_name

    text = "" if missing(value) else str(value).strip()
    if name in ("indicator", "construct") and text:
        return indicator_name(text)
    if name == "method" and text:
        return method_name(text)
    if name in ("numerator", "exposure") and text:
        return column_label(text)
    if text in ("true", "false"):
        return _("yes") if text == "true" else _("no")
    if _INTEGER.match(text):
        return fmt_count(int(text))
    if _NUMBER.match(text):
        return fmt(float(text))
    if _MONTH.match(text):
        return month_name(text)
    if _DAY.match(text):
        return day(text[:10])
    return text


def note_sentence(n: Note) -> str:
    """One note in the page's language, its values in the page's locale."""
    return _(NOTE_TEXTS[n.code]).format(**{k: note_value(k, v) for k, v in n.values.items()})


def row_notes(row) -> list[Note] | None:
    """The notes of a results row from its ``note_code`` (None when the row has no readable
    code, so that the English ``note`` is shown instead)."""
    code = row.get("note_code") if hasattr(row, "get") else getattr(row, "note_code", None)
    if code is None or missing(code):
        return None
    try:
        return parse_note_codes(code)
    except ValueError:
        return None


def note_words(row) -> tuple[str, str]:
    """``(text, lang)`` of a results row's note: rendered from its ``note_code`` in the page's
    language (``lang`` empty), else the English ``note`` (``lang`` ``"en"`` on a page in
    another language); ``("", "")`` without a note."""
    notes = row_notes(row)
    if notes is not None:
        return "; ".join(note_sentence(n) for n in notes), ""
    note = row.get("note") if hasattr(row, "get") else getattr(row, "note", None)
    note = note if isinstance(note, str) else ""
    return note, (note_lang() if note else "")


def note_cell(row) -> dict:
    """A row's note as a table cell's second line (``sub``, ``sub_lang``)."""
    text, lang = note_words(row)
    return {"sub": text, "sub_lang": lang}


def note_lang() -> str:
    """The ``lang`` of text written in English on a page in another language; empty on
    English pages."""
    return "" if current_language() == "en" else "en"
