"""Accessibility: every built page, in every language built, against axe-core's WCAG 2.1
A and AA rules (tags wcag2a, wcag2aa, wcag21a, wcag21aa): no serious or critical
violation.

axe-core comes from npm (``tests/js/package.json`` and its lock); when
``tests/js/node_modules`` is missing the setup runs ``npm ci`` there.  The pages are
opened from ``file://`` in Debian's Chromium through playwright; their
Content-Security-Policy forbids scripts, so the test's browser context bypasses it
to inject axe.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

browser = pytest.mark.browser

JS = Path(__file__).parent / "js"
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
RUN_AXE = ("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
           "resultTypes: ['violations']})")


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe.min.js, installed from tests/js/package-lock.json when missing."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install axe-core for the accessibility tests: "
                        "run `bash .ci/install-axe` (Debian: apt-get install nodejs npm)")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                              cwd=JS, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"npm ci in {JS} failed:\n{done.stderr}"
    assert AXE.exists(), f"{AXE} is missing after npm ci"
    return AXE


def built_pages(reports: Path) -> list[Path]:
    """Every HTML page of a reports directory, in every language (not the notebooks,
    logs or an unfinished staging tree)."""
    skip = {"notebooks", "logs", "pdf"}
    return sorted(p for p in reports.rglob("*.html")
                  if not (set(p.relative_to(reports).parts[:-1]) & skip)
                  and not any(part.startswith(".") for part in p.relative_to(reports).parts))


def violations(browser, axe: Path, page: Path) -> list[dict]:
    """axe-core's violations of the WCAG 2.1 A/AA rules on ``page``."""
    context = browser.new_context(bypass_csp=True, offline=True,
                                  viewport={"width": 1280, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(page.resolve().as_uri(), wait_until="load")
        tab.add_script_tag(path=str(axe))
        return tab.evaluate(RUN_AXE, TAGS)["violations"]
    finally:
        context.close()


def blocking(found: list[dict]) -> list[str]:
    """One line per serious or critical violation: rule, impact, first element, why."""
    lines = []
    for v in found:
        if v.get("impact") in BLOCKING:
            node = v["nodes"][0]
            why = " ".join(node.get("failureSummary", "").split())
            lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} element(s)): "
                         f"{node['html'][:160]} — {why[:300]}")
    return lines


@browser
def test_axe_flags_low_contrast_text(tmp_path, in_browser, axe_script):
    """The harness can fail: white 8pt text on the old orange (3.86:1) is flagged."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t'
                   '</title></head><body><main><p style="background:#D55E00;color:#fff;'
                   'font-size:11px">15</p></main></body></html>', encoding="utf-8")
    found = in_browser(lambda browser: violations(browser, axe_script, bad))
    assert any(v["id"] == "color-contrast" for v in found), found
    assert blocking(found)


@browser
def test_every_page_in_every_language_passes_wcag21_aa(built_reports, in_browser, axe_script):
    pages = built_pages(built_reports)
    assert (built_reports / "index.html") in pages and (built_reports / "synthesis.html") in pages
    assert len(list((built_reports / "enterprises").glob("*.html"))) == 3
    twins = built_reports / "id"
    if twins.exists():  # the Indonesian pages, once they are built
        assert (twins / "index.html") in pages and (twins / "synthesis.html") in pages

    def check(browser) -> dict[str, list[str]]:
        found = {}
        for page in pages:
            lines = blocking(violations(browser, axe_script, page))
            if lines:
                found[str(page.relative_to(built_reports))] = lines
        return found

    problems = in_browser(check)
    report = "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())
    assert not problems, f"serious or critical WCAG 2.1 A/AA violations:\n{report}"


def _contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two "#rrggbb" colours (computed here independently)."""
    def lum(colour: str) -> float:
        r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_numbers_on_every_likert_colour_reach_aa_contrast():
    """The text on a Likert segment is white or black, whichever contrasts more: at
    least 4.5:1 on every colour of every scale from 2 to 11 points."""
    from score_analysis.report.charts import light_text, likert_colours

    assert _contrast("#FFFFFF", "#D55E00") < 4.5  # white on this orange was the failure
    assert light_text("#D55E00") is False and light_text("#004D7A") is True
    for k in range(2, 12):
        neg, pos = likert_colours(k)
        for fill in neg + pos:
            text = "#FFFFFF" if light_text(fill) else "#000000"
            assert _contrast(text, fill) >= 4.5, (k, fill, text)
