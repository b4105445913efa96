"""Provenance and footer: from what and when a report was made."""

from __future__ import annotations

from ...i18n import gettext as _
from ..formatting import (
    missing,
    short_date,
)
from ..rendering import Html, in_each_language, render


def _provenance_of(source) -> dict:
    if isinstance(source, dict):
        return source
    return getattr(source, "provenance", None) or {}


def _provenance_html(provenance: dict) -> Html:
    if not provenance:
        return render("sections/provenance.html", facts=[], inputs=[], packages="")
    tool = provenance.get("tool", {})
    facts = [(_("Run date (UTC)"), provenance.get("run_date")),
             (_("Program"), f"{tool.get('name', '')} {tool.get('version', '')}".strip()),
             (_("Git commit"), tool.get("git_commit") or _("not recorded")),
             (_("Code fingerprint"), tool.get("code_fingerprint")),
             ("Python", provenance.get("python"))]
    facts += [(_("Parameter: {name}").format(name=k), v)
              for k, v in sorted(provenance.get("parameters", {}).items())]
    return render("sections/provenance.html",
                  facts=[(k, v) for k, v in facts if not missing(v)],
                  inputs=sorted(provenance.get("inputs", {}).items()),
                  packages=", ".join(f"{k} {v}" for k, v in
                                     sorted(provenance.get("packages", {}).items())))


def provenance_section(source) -> Html:
    """Section 9 (collapsed): input file hashes, package versions, commit, parameters, date.

    ``source``: the report's data (rendered in its languages) or a provenance dict.
    """
    if isinstance(source, dict):
        return _provenance_html(source)
    return in_each_language(lambda d: _provenance_html(_provenance_of(d)))(source)


def _footer_html(provenance: dict) -> Html:
    tool = provenance.get("tool", {})
    return render("sections/footer.html", name=tool.get("name", "score-analysis"),
                  version=tool.get("version", ""), date=short_date(provenance.get("run_date")))


def footer(data=None, *, provenance: dict | None = None) -> Html:
    """The page footer: when and from what the report was made."""
    if data is None:
        return _footer_html(provenance or {})
    return in_each_language(lambda d: _footer_html(_provenance_of(d)))(data)
