"""No English left on the Indonesian path (docs/glossary.md, docs/data_contract.md): the
messages of ``validate --language id`` over the whole bad-input corpus, every rule and
message of the data checks, the command line's help and summaries, the Indonesian
template's sheets and drop-downs, and the Indonesian index with its appendix links.

Each check removes what is not prose (the identifiers of the data contract, file and sheet
references, quoted values as typed, option names) and what is marked as written in another
language, then looks for English words: a dictionary of words that never occur in
Indonesian text.  The pages' sections and the workshop summaries have the same check in
``test_reporting.py`` and ``test_workshop.py``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from test_bad_input import CASES, _prepare
from test_findings import SAMPLE

from score_analysis import build, cli
from score_analysis.build import validate_inputs
from score_analysis.data.contract import TABLES, RuleCode
from score_analysis.data.findings import finding_lines
from score_analysis.data.messages import render_message, render_rule
from score_analysis.i18n import use_language

#: English words that never occur in Indonesian text (whole words, any case).
ENGLISH = frozenset("""
the and of with was were is are be been before after could would should which this that these
those from than not only when every each their its it in on at to for by or as into one two
must may can cannot did you your mean type typed value values number numbers whole column
columns row rows sheet sheets files cell cells missing required optional blank allowed month
months date dates year years yes no true false error errors warning warnings rule rules table
tables choose enterprise enterprises visit visits score scores report reports page pages
appendix summary open built synthesis reviewers models diagnostics between least most more
less same other another first last here also there see show shows please fix run again valid
wrote written nothing changed unchanged failed listed order sign percentage percent per
workbook template codebook readme description language languages english indonesian
""".split()) - {"per"}  # "per" is Indonesian too

#: Identifiers of the data contract: tables, columns, codes and items (shown as they are).
IDENTIFIERS = frozenset(
    {t.name for t in TABLES.values()}
    | {c.name for t in TABLES.values() for c in t.columns}
    | {str(code) for t in TABLES.values() for c in t.columns for code in (c.choices or ())}
    | {i.name for t in TABLES.values() for i in t.items}
    | {"score-analysis", "validate", "run", "template", "demo-data", "calibrate", "plan"}
    | {"codebook", "readme", "lists"})  # the template's helper sheets

_NOT_PROSE = [
    re.compile(r"'[^']*'"),  # a value as typed, a suggestion in quotes
    re.compile(r"\"[^\"]*\""),
    re.compile(r"\S+\.(xlsx|csv|html|toml|log|json)\b"),  # files
    re.compile(r"\b\w+![A-Z]+\d+(:[A-Z]+\d+)?"),  # sheet!cell
    re.compile(r"--?[\w-]+"),  # options
    re.compile(r"\b[A-Z][A-Z_]{2,}\b"),  # metavars, YYYY-MM
    re.compile(r"\[[^\]]*\]\{[^}]*\}"),  # patterns
    re.compile(r"\S*/\S*"),  # paths
]


def english_words(text: str, *, allowed=()) -> list[str]:
    """The English words of ``text`` once identifiers, quoted values, files, cells, options
    and paths are removed (``allowed``: data values that may appear as they are)."""
    for value in sorted((a for a in allowed if a), key=len, reverse=True):
        text = text.replace(value, " ")
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    words = []
    for token in re.findall(r"[\w-]+", text):
        if token in IDENTIFIERS or "_" in token or any(ch.isdigit() for ch in token):
            continue
        words += [w for w in token.lower().split("-") if w in ENGLISH]
    return words


def test_the_check_finds_english():
    """The dictionary finds the English of the same texts (so it can fail)."""
    assert english_words("error: kpi_monthly.csv, row 4: not a number (rule: number)") == [
        "error", "row", "not", "number", "rule", "number"]
    assert english_words("kesalahan: book.xlsx, kpi_monthly!B42, kolom month: nilai "
                         "'2001-04': 9 tahun sebelum bulan lain") == []


# --------------------------------------------------------------------------- messages


def test_every_rule_and_message_of_the_data_checks_is_indonesian():
    found, english_found = {}, 0
    for code in RuleCode:
        with use_language("id"):
            texts = (render_rule(code, SAMPLE), render_message(code, "7.304", SAMPLE))
        with use_language("en"):
            english = render_rule(code, SAMPLE) + " " + render_message(code, "7.304", SAMPLE)
        allowed = {str(v) for v in SAMPLE.values()}
        words = english_words(" ".join(texts), allowed=allowed)
        if words:
            found[str(code)] = (words, texts)
        english_found += bool(english_words(english, allowed=allowed))
    assert found == {}
    assert english_found >= 0.8 * len(RuleCode)  # the English words are found English


def _typed(result) -> set[str]:
    """The values and parameters of the findings: data, shown as typed."""
    out = set()
    for f in result.findings:
        out.update((f.value, f.file, *re.findall(r"\[([^\]]+)\]", f.file)))
        out.update(str(v) for v in f.params.values() if isinstance(v, str))
    return {v for v in out if len(v) > 1}


@pytest.mark.parametrize("case", [c for c in CASES if c.errors or c.notes],
                         ids=[c.id for c in CASES if c.errors or c.notes])
def test_validate_in_indonesian_leaves_no_english_word(case, tmp_path, capsys, monkeypatch):
    """Every line ``validate --language id`` prints on the bad-input corpus, and its
    summary, are Indonesian (the same lines in English are found English)."""
    data = _prepare(case, tmp_path)
    seen = []  # the validation the command made (one serves every language)

    def recording(*args, **kwargs):
        seen.append(validate_inputs(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(build, "validate_inputs", recording)
    cli.main(["validate", "--language", "id", str(data)])
    out, err = capsys.readouterr()
    (result,) = seen
    allowed = _typed(result) | {str(tmp_path)}
    assert english_words(out + "\n" + err, allowed=allowed) == [], out + err
    with use_language("en"):
        english = "\n".join(finding_lines(result.findings, result.letters, result.workbook))
    assert english_words(english, allowed=allowed), english


def test_the_help_of_every_command_is_indonesian(capsys):
    for argv in ([], ["validate"], ["run"], ["plan"], ["template"], ["demo-data"],
                 ["calibrate"]):
        with pytest.raises(SystemExit):
            cli.main([*argv, "--language", "id", "--help"])
        out = capsys.readouterr().out
        out = out.replace("Bahasa Indonesia", " ").replace("(English)", " ")
        out = re.sub(r"\(bawaan: [^)]*\)", " ", out)  # the default folders
        assert english_words(out) == [], (argv, english_words(out), out)


def test_the_run_summaries_are_indonesian(tmp_path):
    from score_analysis.build import Summary

    log = tmp_path / "quality_log.csv"
    log.write_text("file,row,column,value,rule,severity,message\n"
                   "kpi_monthly.csv,,month,,missing_month,warning,bulan 2009-11 tidak ada\n")
    with use_language("id"):
        texts = [cli.run_summary(Summary(built=3, unchanged=2, failed=1, warnings=1,
                                         duration_s=12.34, failures=["a"]), tmp_path),
                 cli.run_summary(Summary(unchanged=5, duration_s=0.2, nothing_changed=True),
                                 tmp_path)]
    for text in texts:
        assert english_words(text, allowed={str(log)}) == [], text
    assert "12,3 dtk" in texts[0] and "0,2 dtk" in texts[1]


# --------------------------------------------------------------------------- the template


def _sheet_texts(path, other: str) -> dict[str, list[str]]:
    """Every text a person reads in the workbook: cells (without the data sheets' headings,
    which are the contract's identifiers, and without the columns headed by the name of the
    ``other`` language), the notes on the headings (without their part marked with the other
    language), the drop-downs' messages."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    out: dict[str, list[str]] = {}
    for sheet in book.worksheets:
        texts = out.setdefault(sheet.title, [])
        rows = list(sheet.iter_rows(values_only=True))
        marked = {j for j, v in enumerate(rows[0] if rows else ())
                  if isinstance(v, str) and other in v}
        for row in rows[1:] if sheet.title in TABLES else rows:
            texts += [str(v) for j, v in enumerate(row) if v is not None and j not in marked]
        if sheet.title in TABLES and rows:
            for cell in sheet[1]:
                if cell.comment is not None:
                    texts.append(cell.comment.text.split(f"{other}:")[0])
        for rule in sheet.data_validations.dataValidation:
            texts.append(rule.error or "")
    return out


def test_every_sheet_of_the_indonesian_template_is_indonesian(tmp_path):
    """readme, codebook (headings, types, rules, yes/no), the drop-down lists and their
    messages and the notes on the headings; the English description column is headed as
    English, and the English template's sheets are found English."""
    found = {}
    for lang in ("id", "en"):
        path = tmp_path / f"{lang}.xlsx"
        assert cli.main(["template", "--language", lang, str(path)]) == 0
        texts = _sheet_texts(path, {"id": "English", "en": "Bahasa Indonesia"}[lang])
        assert set(texts) >= {"readme", "codebook", "lists", *TABLES}
        found[lang] = {name: english_words(" ".join(t)) for name, t in texts.items()}
    assert {name: w for name, w in found["id"].items() if w} == {}
    for name in ("codebook", "readme", "kpi_monthly"):
        assert found["en"][name], name


def test_the_indonesian_readme_puts_indonesian_first_and_names_each_language(tmp_path):
    from openpyxl import load_workbook

    for lang, first in (("id", ("Bahasa Indonesia", "English")),
                        ("en", ("English", "Bahasa Indonesia"))):
        path = tmp_path / f"{lang}.xlsx"
        assert cli.main(["template", "--language", lang, str(path)]) == 0
        rows = list(load_workbook(path)["readme"].iter_rows(values_only=True))
        assert rows[0] == first
        assert rows[1][0] == {"id": "SCORE Modul 1 — buku kerja entri data",
                              "en": "SCORE Module 1 — data entry workbook"}[lang]


# --------------------------------------------------------------------------- the index


class _Visible(HTMLParser):
    """The visible text of a page, without elements marked with another language."""

    def __init__(self, lang: str):
        super().__init__(convert_charrefs=True)
        self.lang, self.stack, self.parts = lang, [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.parts.append(" ")
        if tag in ("img", "br", "meta", "link", "input"):
            return
        other = a.get("lang") not in (None, self.lang) or tag in ("style", "code", "title")
        self.stack.append(other or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        self.parts.append(" ")
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str, lang: str) -> str:
    p = _Visible(lang)
    p.feed(html[html.index("<body"):])
    return "".join(p.parts)


def test_the_indonesian_index_and_its_appendix_links_are_indonesian():
    import pandas as pd

    from score_analysis.build import appendices
    from score_analysis.report import index_page

    ents = pd.DataFrame({"name": ["PT Maju"], "data_source": ["simulated"]},
                        index=pd.Index(["maju"], name="enterprise_id"))
    manifest = {appendices.MANIFEST_KEY: {
        "maju": {"path": "appendix/maju.html", "status": "ok", "built": ""},
        "synthesis": {"path": "appendix/synthesis.html", "status": "failed", "built": ""}}}
    pages = {}
    for lang in ("id", "en"):
        entries = [{"path": "enterprises/maju.html", "title": "PT Maju", "status": "ok",
                    "data_source": "simulated", "built": "2026-01-01T00:00:00+00:00",
                    "headline": "h"}]
        entries += appendices.index_entries(manifest, ents, lang=lang)
        pages[lang] = visible_text(index_page(entries, run_date="2026-01-01T00:00:00+00:00",
                                              lang=lang, years=(2009, 2011)), lang)
    data = {"PT Maju", " h "}
    assert english_words(pages["id"], allowed=data) == [], pages["id"]
    assert english_words(pages["en"], allowed=data)
    assert "Lampiran (dalam bahasa Inggris): PT Maju" in pages["id"]
    assert "Appendix: PT Maju" in pages["en"]


# --------------------------------------------------------------------------- the catalog


def _catalog_messages():
    from test_reporting import _catalog

    for m in _catalog():
        if m.id:
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strs = m.string if isinstance(m.string, tuple) else (m.string,)
            yield m, ids, strs


def test_every_translation_formats_with_the_english_placeholders():
    """A translation that breaks its format (a lone %, a placeholder glued to another
    message) fails the page that shows it; the catalog's own check misses some."""
    problems = []
    for m, ids, strs in _catalog_messages():
        for s in strs:
            try:
                if "python-format" in m.flags:
                    names = set(re.findall(r"%\((\w+)\)", ids[0]))
                    _ = s % ({n: 1 for n in names} if names else ())
                if "python-brace-format" in m.flags:
                    positional = len(set(re.findall(r"\{(\d+)", " ".join(ids))))
                    _ = s.format(*range(positional), **{
                        n: 1 for n in re.findall(r"\{([A-Za-z_]\w*)", " ".join(ids))})
            except (KeyError, IndexError, ValueError, TypeError) as exc:
                problems.append((ids[0][:60], repr(exc)))
    assert problems == []


def test_no_translation_is_glued_to_another_or_left_in_english():
    """A merge of the catalog once glued two translations into one ("...diestimasithe
    programme starts..."): no sentence runs into the next without a space, and no
    Indonesian message holds an English word."""
    problems = []
    for _m, ids, strs in _catalog_messages():
        for s in strs:
            for pattern in (r"[a-z]\.[A-Z]", r"\)[a-z]{2}", r"[a-z]{3}[A-Z][a-z]"):
                if re.search(pattern, s) and not re.search(pattern, ids[0]):
                    problems.append((s[:80], pattern))
            words = english_words(re.sub(r"\{[^}]*\}|%\(\w+\)s", " ", s))
            if words:
                problems.append((s[:80], words))
    assert problems == []
