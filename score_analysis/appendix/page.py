"""The appendix pages: an executed appendix notebook as one self-contained HTML page,
with its code visible.

Unlike the reports, whose pages hide the code, an appendix shows every input cell
(nbconvert's ``basic`` template without ``exclude_input``), highlighted with an
inlined Pygments stylesheet.  The page carries the same Content-Security-Policy as the
reports: no script, no network request, images only as ``data:`` URIs.  The text of
the page is rendered by an autoescaping Jinja2 template (``templates/appendix.html``);
the notebook body comes from nbconvert, which escapes the notebook's text itself.
"""

from __future__ import annotations

import functools

#: The policy of every appendix page (the reports' policy: nothing but inline styles and
#: data: images).
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'none'")


def appendix_path(enterprise_id: str | None) -> str:
    """An appendix page relative to the reports directory: ``appendix/<enterprise_id>.html``
    or, for ``None``, ``appendix/synthesis.html``."""
    return f"appendix/{enterprise_id or 'synthesis'}.html"


@functools.cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=False,
                        exclude_input_prompt=True, exclude_output_prompt=True)


@functools.cache
def _template():
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("score_analysis.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    return env.get_template("appendix.html")


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".highlight")


def appendix_html(executed: str, title: str, *, report_href: str | None = None,
                  index_href: str = "../index.html", simulated: bool = False) -> str:
    """The page of one executed appendix notebook (path ``executed``), code visible.

    ``report_href`` links the report the appendix belongs to, ``index_href`` the index,
    both relative to the page.  ``simulated`` shows the banner of simulated data.
    """
    import nbformat
    from markupsafe import Markup

    body, _ = _exporter().from_notebook_node(nbformat.read(executed, as_version=4))
    return _template().render(title=title, csp=CSP, body=Markup(body),
                              pygments_css=Markup(_pygments_css()), report_href=report_href,
                              index_href=index_href, simulated=simulated)
