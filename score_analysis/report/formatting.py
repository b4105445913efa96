"""Numbers, percentages and dates for people, in the language of the page.

Every function formats with :mod:`babel.numbers` / :mod:`babel.dates` in the
locale of :func:`score_analysis.i18n.current_language` (English ``1,234.5``,
``24 Mar 2010``; Indonesian ``1.234,5``, ``24 Maret 2010``) and returns plain
text (escaping is the templates' job).  Minus signs are the typographic ``−``.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from ..i18n import current_language
from ..i18n import gettext as _

#: Date patterns (CLDR) per language: Indonesian spells the month out (15 Maret 2010).
DAY_PATTERN = {"en": "d MMM y", "id": "d MMMM y"}
MONTH_PATTERN = {"en": "MMM y", "id": "MMMM y"}
STAMP_PATTERN = {"en": "d MMM y HH:mm", "id": "d MMMM y HH.mm"}


def esc(value: object) -> str:
    """Escape any value for HTML text or attribute context (blank for missing values).

    The templates escape by themselves; this stays for code that hands text to
    something other than a template (it is never used to build HTML here).
    """
    if missing(value):
        return ""
    return html.escape(str(value), quote=True)


def missing(value: object) -> bool:
    """Whether ``value`` is None, NA, NaT or a float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def locale() -> str:
    """The Babel locale of the current language."""
    return current_language()


def _minus(text: str) -> str:
    return text.replace("-", "−")


def decimal(v: float, decimals: int) -> str:
    """``v`` with exactly ``decimals`` decimals, grouped, in the page's locale."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return _minus(format_decimal(round(v, decimals), format=pattern, locale=locale()))


def fmt(x: object, digits: int = 3) -> str:
    """A number for people: ``digits`` significant digits, no scientific notation for usual
    sizes (English ``1,234``, ``16.5``; Indonesian ``1.234``, ``16,5``)."""
    if missing(x):
        return ""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    if abs(v) >= 1e6 or abs(v) < 1e-4:
        text = f"{v:.{digits}g}"
        if current_language() != "en":
            text = text.replace(".", ",")
        return _minus(text)
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
    return decimal(v, decimals)


def fmt_plain(x: object) -> str:
    """A setting's value as written, in the page's locale, without padding zeros
    (``0.05`` / ``0,05``, ``0.01``, ``1,000``)."""
    if missing(x):
        return ""
    return _minus(format_decimal(float(x), format="#,##0.######", locale=locale()))


def fmt_p(p: object) -> str:
    """A p-value for people: three decimals, ``< 0.001`` below that (``< 0,001``)."""
    try:
        v = float(p)
    except (TypeError, ValueError):
        return ""
    if math.isnan(v):
        return ""
    return "< " + decimal(0.001, 3) if v < 0.001 else decimal(v, 3)


def fmt_count(x: object) -> str:
    """A count (``15``, ``1,234`` / ``1.234``), blank when missing."""
    if missing(x):
        return ""
    try:
        return decimal(float(x), 0)
    except (TypeError, ValueError):
        return str(x)


def fmt_signed(x: object, digits: int = 2) -> str:
    """A difference with its sign (``+0.33``, ``−4.1``)."""
    if missing(x) or not np.isfinite(float(x)):
        return ""
    x = float(x)
    text = fmt(abs(x), digits)
    return text if text == "0" else ("+" if x > 0 else "−") + text


def percent(v: float) -> str:
    """A percentage of at least 0: whole percent from 9.5 on, one decimal below
    (``34%``, ``4.5%`` / ``4,5%``)."""
    return (decimal(v, 0) if v >= 9.5 else decimal(v, 1)) + "%"


def times(ratio: float) -> str:
    """A multiple for ``-fold`` and ``×``: one decimal below 10 (``2.9``), whole above."""
    return decimal(ratio, 1) if ratio < 9.95 else decimal(ratio, 0)


def signed_percent(ratio: object) -> str:
    """A rate ratio as a signed percentage change for tables: ``−34%``, ``+40%``, ``×2.9``."""
    if missing(ratio) or not np.isfinite(float(ratio)) or float(ratio) <= 0:
        return ""
    ratio = float(ratio)
    if ratio >= 2:
        return f"×{times(ratio)}" if ratio <= 100 else "> ×100"
    change = (ratio - 1) * 100
    if change < -99:
        return "< −99%"
    return ("+" if change > 0 else "−" if change < 0 else "") + percent(abs(change))


def with_unit(value: object, unit: str, digits: int = 3) -> str:
    """A value with its (already translated) unit: ``2.89%``, ``16.5 pcs per worker-hour``."""
    text = fmt(value, digits)
    if not text:
        return ""
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


def month_name(month: object) -> str:
    """A month ``2010-03`` as ``Mar 2010`` (Indonesian ``Maret 2010``)."""
    stamp = pd.Period(str(month), freq="M").to_timestamp()
    return format_date(stamp.date(), MONTH_PATTERN[current_language()], locale=locale())


def day(date: object) -> str:
    """A date as ``24 Mar 2010`` (Indonesian ``24 Maret 2010``)."""
    return format_date(pd.Timestamp(date).date(), DAY_PATTERN[current_language()],
                       locale=locale())


def short_date(stamp: object) -> str:
    """A time stamp as ``1 Jan 2026 00:00`` (blank when missing; as given when unreadable)."""
    if missing(stamp) or not str(stamp):
        return ""
    try:
        ts = pd.Timestamp(str(stamp))
    except ValueError:
        return str(stamp)
    return format_datetime(ts.to_pydatetime().replace(tzinfo=None),
                           STAMP_PATTERN[current_language()], locale=locale())


def join_words(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` in the page's language."""
    if len(items) <= 1:
        return "".join(items)
    return _("{first} and {last}").format(first=", ".join(items[:-1]), last=items[-1])
