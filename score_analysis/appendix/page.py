"""The appendix pages: an executed appendix notebook as one self-contained HTML page,
with its code visible.

Unlike the reports, whose pages hide the code, an appendix shows every input cell
(nbconvert's ``basic`` template without ``exclude_input``), highlighted with an
inlined Pygments stylesheet.  The page carries the same Content-Security-Policy as the
reports (:data:`score_analysis.report.pages.CSP`): no script, no network request, images
only as ``data:`` URIs.  The text of the page is rendered by the reports' autoescaping
Jinja2 environment (``templates/appendix.html``); the notebook body comes from nbconvert,
which escapes the notebook's text itself.
"""

from __future__ import annotations

import functools

from ..settings import AnalysisSettings


def appendix_path(enterprise_id: str | None) -> str:
    """An appendix page relative to the reports directory: ``appendix/<enterprise_id>.html``
    or, for ``None``, ``appendix/synthesis.html``."""
    return f"appendix/{enterprise_id or 'synthesis'}.html"


@functools.cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=False,
                        exclude_input_prompt=True, exclude_output_prompt=True)


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".highlight")


def appendix_html(executed: str, title: str, *, report_href: str | None = None,
                  index_href: str = "../index.html", simulated: bool = False,
                  settings: AnalysisSettings | None = None) -> str:
    """The page of one executed appendix notebook (path ``executed``), code visible.

    ``report_href`` links the report the appendix belongs to, ``index_href`` the index,
    both relative to the page.  ``simulated`` shows the banner of simulated data;
    ``settings`` other than the plan's show the exploratory-settings banner.
    """
    import nbformat
    from markupsafe import Markup

    from ..i18n import use_language
    from ..report.pages import CSP, exploratory_changes
    from ..report.rendering import environment

    body, _ = _exporter().from_notebook_node(nbformat.read(executed, as_version=4))
    with use_language("en"):  # the appendix pages are in English
        return environment().get_template("appendix.html").render(
            title=title, csp=Markup(CSP), body=Markup(body), pygments_css=Markup(_pygments_css()),
            report_href=report_href, index_href=index_href, simulated=simulated,
            exploratory=exploratory_changes(settings)) + "\n"
