""""Did you mean": the value someone probably meant, for a month, a date, an enterprise
id, a code of a list, a typed year and a survey answer written in words."""

from __future__ import annotations

import datetime as dt
import re
from difflib import get_close_matches

from ..contract import ALIASES, CODE_NAMES_ID, Column, drop_down_entry
from ..messages import LIKERT_WORDS

# Month names and their common abbreviations, in English and in Bahasa Indonesia.
_MONTH_NAMES = {
    name: number
    for number, names in enumerate((
        ("jan", "january", "januari"), ("feb", "february", "februari", "pebruari", "peb"),
        ("mar", "march", "maret"), ("apr", "april"), ("may", "mei"),
        ("jun", "june", "juni"), ("jul", "july", "juli"),
        ("aug", "august", "agu", "agt", "agustus", "ags"),
        ("sep", "sept", "september"), ("oct", "october", "okt", "oktober"),
        ("nov", "november", "nop", "nopember"), ("dec", "december", "des", "desember")), 1)
    for name in names}
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # a two-digit year: 10 is 2010, 95 is 1995
        year += 2000 if year <= dt.date.today().year % 100 else 1900
    return year


def _excel_day(text: str) -> dt.date | None:
    """The date of an Excel day number (a date cell that lost its date format)."""
    if not re.fullmatch(r"\d{5}(\.0+)?", text):
        return None
    day = _EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    return day if dt.date(1990, 1, 1) <= day <= dt.date(2100, 1, 1) else None


def month_suggestion(text: str, *, excel: bool = False) -> str | None:
    """``YYYY-MM`` for a month written another common way, else ``None``.

    Recognises ``2010-4``, ``2010/10``, ``2010.04``, ``4/2010``, ``Mar-2010``,
    ``March 2010``, ``Maret 2010``, ``Mar-10``, a date such as ``2010-04-15`` or
    ``15/04/2010``, and (in a workbook) an Excel day number.
    """
    t = text.strip().lower()
    m = (re.fullmatch(r"(\d{4})\s*[-/.\s]\s*(\d{1,2})", t)
         or re.fullmatch(r"(\d{4})-(\d{1,2})-\d{1,2}(?:[t ].*)?", t))
    if m:
        year, month = int(m[1]), int(m[2])
    elif m := (re.fullmatch(r"(\d{1,2})\s*[-/.\s]\s*(\d{4})", t)
               or re.fullmatch(r"\d{1,2}[-/.](\d{1,2})[-/.](\d{4})", t)):
        year, month = int(m[2]), int(m[1])
    elif m := re.fullmatch(r"([a-z]+)\.?\s*[-/.,'\s]\s*'?(\d{4}|\d{2})", t):
        if m[1] not in _MONTH_NAMES:
            return None
        year, month = _year(m[2]), _MONTH_NAMES[m[1]]
    elif m := re.fullmatch(r"(\d{4})\s*[-/.\s]\s*([a-z]+)", t):
        if m[2] not in _MONTH_NAMES:
            return None
        year, month = int(m[1]), _MONTH_NAMES[m[2]]
    elif excel and (day := _excel_day(t)) is not None:
        year, month = day.year, day.month
    else:
        return None
    if not 1 <= month <= 12 or year < 1000:
        return None
    return f"{year:04d}-{month:02d}"


def date_suggestion(text: str, *, excel: bool = False) -> str | None:
    """``YYYY-MM-DD`` for a date written another common way, else ``None``.

    Recognises ``2010/03/22``, ``2010.3.22``, ``22-03-2010``, ``22.03.2010``,
    ``03/22/2010`` (month first, when the day is above 12), ``22 Maret 2010``,
    ``22-Mar-10``, ``March 22, 2010`` and (in a workbook) an Excel day number.
    """
    t = text.strip().lower()
    parts: tuple[int, int, int] | None = None
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[t ].*)?", t):
        parts = (int(m[1]), int(m[2]), int(m[3]))
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})", t):
        first, second, year = int(m[1]), int(m[2]), _year(m[3])
        parts = (year, first, second) if second > 12 >= first else (year, second, first)
    elif m := re.fullmatch(r"(\d{1,2})\s*[-/.\s]\s*([a-z]+)\.?\s*[-/.,\s]\s*(\d{4}|\d{2})", t):
        if m[2] in _MONTH_NAMES:
            parts = (_year(m[3]), _MONTH_NAMES[m[2]], int(m[1]))
    elif m := re.fullmatch(r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", t):
        if m[1] in _MONTH_NAMES:
            parts = (int(m[3]), _MONTH_NAMES[m[1]], int(m[2]))
    elif excel and (day := _excel_day(t)) is not None:
        return day.isoformat()
    if parts is None:
        return None
    try:
        return dt.date(*parts).isoformat()
    except ValueError:
        return None


def enterprise_suggestion(value: str, known: list[str]) -> str | None:
    """The known enterprise id closest to ``value`` (a typo, capitals, spaces), or ``None``."""
    if not known:
        return None
    normal = re.sub(r"[\s.]+", "_", value.strip().lower())
    if normal in known and normal != value:
        return normal
    close = get_close_matches(normal, known, n=1, cutoff=0.75)
    return close[0] if close and close[0] != value else None


def drop_down_codes(column: Column) -> dict[str, str]:
    """Every drop-down entry of the template (in either language) for a list column, with
    the code it stands for: ``sort (ringkas)`` → ``sort``."""
    return {drop_down_entry(code, lang): code for code in column.choices
            for lang in ("en", "id")}


def choice_suggestion(value: str, column: Column) -> str | None:
    """The code of a list someone probably meant: the code itself in other capitals or
    spacing, a name of the code in either language (``ringkas`` → ``sort``, ``awal`` →
    ``baseline``), or the closest code or name."""
    t = re.sub(r"\s+", " ", value.strip().lower())
    for candidate in (t, t.replace(" ", "_"), t.replace("-", "_"), t.replace("_", " ")):
        if candidate in column.choices:
            return candidate
        code = ALIASES.get(candidate)
        if code in column.choices:
            return code
    names = {name: code for name, code in ALIASES.items() if code in column.choices}
    names.update({CODE_NAMES_ID[c]: c for c in column.choices if c in CODE_NAMES_ID})
    close = get_close_matches(t.replace(" ", "_"), list(column.choices), n=1, cutoff=0.6)
    if close:
        return close[0]
    close = get_close_matches(t, list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None


def year_suggestion(month: str, others: list[str]) -> str | None:
    """The month with its year corrected so that it lies among ``others`` (months of the
    same series, which it may not repeat): the same calendar month in the year that puts it
    closest to them, preferring a gap inside the series, then a year written with the same
    digits."""
    year, mon = int(month[:4]), int(month[5:7])
    index = {int(m[:4]) * 12 + int(m[5:7]) - 1 for m in others}
    if not index:
        return None
    low, high = min(index), max(index)
    best: tuple | None = None
    for y in range(low // 12 - 1, high // 12 + 2):
        i = y * 12 + mon - 1
        if i in index or y == year:
            continue
        distance = min(abs(i - j) for j in index)
        if distance > 12:
            continue
        inside = low < i < high
        same_digits = sorted(str(y)) == sorted(str(year))
        differ = sum(a != b for a, b in zip(f"{y:04d}", f"{year:04d}", strict=True))
        rank = (distance, not inside, not same_digits, differ)
        if best is None or rank < best[0]:
            best = (rank, f"{y:04d}-{mon:02d}")
    return best[1] if best else None


def likert_suggestion(value: str, low: float, high: float) -> int | None:
    """The number of an agreement answer written in words (``Setuju`` → 4), on a 1-5
    scale only."""
    if (low, high) != (1, 5):
        return None
    return LIKERT_WORDS.get(re.sub(r"\s+", " ", value.strip().lower()))
