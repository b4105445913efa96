"""Languages of the pages and of the messages: gettext catalogs managed with Babel.

English is the source language: the messages in the code and the templates are English,
and ``score_analysis/locale/<lang>/LC_MESSAGES/messages.po`` translates them.  The
catalogs are extracted and updated with ``make messages`` (``pybabel extract`` over the
Python code and the Jinja2 templates, then ``pybabel update``) and compiled to ``.mo`` by
``make install``; a catalog whose ``.mo`` is missing or older than its ``.po`` is compiled
in memory when first used, so a fresh checkout works without the build step.

Usage::

    from .i18n import gettext as _, use_language

    with use_language("id"):
        print(_("Data are valid"))

Module-level constants are marked with :func:`N_` (extracted, not translated at import
time) and translated where they are shown: ``_(CONSTANT)``.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

#: Languages the project speaks; the first is the source language of the messages.
LANGUAGES = ("en", "id")
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("score_analysis_language", default=DEFAULT_LANGUAGE)


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark ``message`` for extraction without translating it now."""
    return message


def check_language(lang: str) -> str:
    """``lang`` when the project speaks it; otherwise ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def parse_languages(text: str) -> tuple[str, ...]:
    """``"en,id"`` → ``("en", "id")``: distinct known languages, in the order given."""
    langs = tuple(dict.fromkeys(p.strip() for p in str(text).split(",") if p.strip()))
    if not langs:
        raise ValueError(f"no language given: choose from {', '.join(LANGUAGES)}")
    for lang in langs:
        check_language(lang)
    return langs


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language of the user's locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``, in gettext's order): ``id`` for an Indonesian locale such as
    ``id_ID.UTF-8``, else the default (English)."""
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if not value:
            continue
        first = value.split(":")[0].split(".")[0].split("@")[0]
        code = first.split("_")[0].split("-")[0].lower()
        if code in ("c", "posix"):
            return DEFAULT_LANGUAGE
        return code if code in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def _compiled(po: Path) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=po.parent.parent.name, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The gettext translations of ``lang`` (English: the messages as written)."""
    check_language(lang)
    if lang == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        data = mo.read_bytes()
    elif po.exists():
        data = _compiled(po)
    else:
        return _gettext.NullTranslations()
    return _gettext.GNUTranslations(io.BytesIO(data))


def current_language() -> str:
    """The language that :func:`gettext` translates into now."""
    return _current.get()


def set_language(lang: str) -> None:
    """Translate into ``lang`` from now on (in this thread or task)."""
    _current.set(check_language(lang))


@contextmanager
def use_language(lang: str) -> Iterator[str]:
    """Translate into ``lang`` inside the ``with`` block."""
    token = _current.set(check_language(lang))
    try:
        yield lang
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, told apart by ``context``."""
    return translations(_current.get()).pgettext(context, message)


_ = gettext
