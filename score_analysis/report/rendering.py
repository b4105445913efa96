"""The Jinja2 environment of the pages, and the fragments the notebooks display.

Templates live in ``score_analysis/report/templates`` and are rendered with
autoescaping on (:func:`jinja2.select_autoescape`): every value from the data is
escaped by the template, never by hand.  Undefined names are errors
(:class:`jinja2.StrictUndefined`): a typo in a template fails the build, never renders
as empty text; an optional key is read with ``.get()``.  One environment serves every
page: the reports, the index, the failed pages and the appendix pages.  Messages go through gettext
(``jinja2.ext.i18n`` bound to :mod:`score_analysis.i18n`), so a template
renders in the language that is current when it is rendered.

A section function returns :class:`Html` (safe markup, shown by Jupyter as
HTML).  When a report is rendered in several languages from one kernel, the
section is rendered once per language and returned as :class:`Translated`: its
``text/html`` is the first language, and each language's HTML also travels in
its own MIME type (:func:`mime_type`), from which the pipeline writes one page
per language.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Hashable

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .. import i18n


class Html(Markup):
    """Safe HTML that Jupyter shows as HTML (and nothing else)."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # keeps stray text/plain reprs short and harmless
        return "<html fragment>"


def mime_type(lang: str) -> str:
    """The MIME type that carries a section's HTML in ``lang`` in a notebook output."""
    return f"text/x-score-analysis-html-{i18n.check_language(lang)}"


class Translated:
    """One section rendered in several languages (shown in the first)."""

    def __init__(self, parts: dict[str, Html]) -> None:
        self.parts = parts

    def __getitem__(self, lang: str) -> Html:
        return self.parts[lang]

    def _repr_mimebundle_(self, include=None, exclude=None):
        first = next(iter(self.parts.values()))
        bundle = {"text/html": str(first), "text/plain": "<html fragment>"}
        bundle.update({mime_type(lang): str(html) for lang, html in self.parts.items()})
        return bundle

    def __repr__(self) -> str:
        return "<html fragment in " + ", ".join(self.parts) + ">"


def in_each_language(section: Callable) -> Callable:
    """Render ``section(data, ...)`` in every language of ``data.languages``.

    With one language or none (the current one) the section returns :class:`Html`;
    with several, a :class:`Translated`.
    """

    @functools.wraps(section)
    def wrapper(data, *args, **kwargs):
        langs = getattr(data, "languages", ()) or ()
        if len(langs) == 1:
            with i18n.use_language(langs[0]):
                return section(data, *args, **kwargs)
        if not langs:
            return section(data, *args, **kwargs)
        parts = {}
        for lang in langs:
            with i18n.use_language(lang):
                parts[lang] = section(data, *args, **kwargs)
        return Translated(parts)

    return wrapper


#: How many drawn images (PNG data and their alt text) a process keeps for reuse by the
#: pages it renders next (each language, the next enterprise): the least recently used
#: beyond this are dropped.
IMAGE_CACHE_SIZE = 64


class BoundedCache:
    """A mapping that keeps at most ``size`` entries, dropping the least recently used."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a cache holds at least one entry, got size {size}")
        self.size = size
        self._entries: OrderedDict = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], object]) -> object:
        """The entry of ``key``, made with ``make()`` (and kept) when absent."""
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        value = make()
        self._entries[key] = value
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries


def _shown(value):
    """What a template prints for a value: nothing for a missing one (None, NaN, NA)."""
    from .formatting import missing

    return "" if missing(value) else value


@functools.cache
def environment() -> Environment:
    """The templates' environment (one per process): autoescaping, gettext, helpers."""
    env = Environment(loader=PackageLoader("score_analysis.report", "templates"),
                      autoescape=select_autoescape(["html"], default_for_string=True),
                      extensions=["jinja2.ext.i18n"], undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                      finalize=_shown)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=False,
                                  pgettext=i18n.pgettext)
    from . import formatting

    env.globals.update(lang=i18n.current_language, fmt=formatting.fmt,
                       fmt_p=formatting.fmt_p, fmt_count=formatting.fmt_count,
                       fmt_signed=formatting.fmt_signed)
    return env


def render(template: str, **context) -> Html:
    """``template`` rendered in the current language, as safe HTML."""
    return Html(environment().get_template(template).render(**context).strip())
