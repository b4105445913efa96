"""How the notes the analysis wrote on results rows are shown on the pages."""

from __future__ import annotations

from ..i18n import current_language
from ..i18n import gettext as _


def note_cell(row) -> dict:
    """A row's note as a cell's second line: translated when it is one of the analysis's
    fixed notes, else as written (English, marked as such on other pages)."""
    from .wording import KNOWN_NOTES

    note = row["note"] if isinstance(row["note"], str) else ""
    if note in KNOWN_NOTES:
        return {"sub": _(note), "sub_lang": ""}
    return {"sub": note, "sub_lang": note_lang() if note else ""}


def note_lang() -> str:
    """The ``lang`` of the analysis's notes (written in English) on a page in another
    language; empty on English pages."""
    return "" if current_language() == "en" else "en"

