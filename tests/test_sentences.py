"""Every sentence of every page against the numbers of ``results.csv`` and ``pooled.csv``.

The pages of the fixture build (``built_reports`` in ``tests/conftest.py``: three
enterprises, the synthesis and the index, in English and in Indonesian) are read as a
reader would read them, and every sentence that states a result is checked against the
row it comes from:

- the direction words (below/above the earlier trend, rose/fell, improved/worsened) agree
  with the estimate and with the averages before and after;
- every number (the change, its interval, the averages, the p-values, the exact ratio, the
  counts of events) equals the table's value to the digits shown;
- the size of the confirmatory family is the same wherever the page states it, and equals
  the rows the analysis adjusted together; adjusted p-values are labelled adjusted, and
  exploratory results never carry one;
- the placebo warning, the robustness verdict, the τ² = 0 sentence and the prediction
  interval appear exactly when the tables say so; no page says "expect" of an enterprise.

The checks are written per language (the phrases are the catalog's), and the numbers are
read back in the page's locale (``3.08`` / ``3,08``), never re-formatted by the code under
test.  A checker that cannot fail proves nothing: the fast tests at the top feed it
sentences with one word or one number changed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from score_analysis.settings import PLAN

# --------------------------------------------------------------------------- reading pages

_VOID = {"img", "br", "meta", "link", "input", "hr", "source", "col", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def find_all(self, pred) -> list[Node]:
        out = []
        for c in self.children:
            if isinstance(c, Node):
                if pred(c):
                    out.append(c)
                out += c.find_all(pred)
        return out

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def tree(html: str) -> Node:
    parser = _Tree()
    parser.feed(html)
    parser.close()
    return parser.root


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------- numbers


NUM = r"[−-]?\d[\d.,]*\d|[−-]?\d"


def number(text: str, lang: str) -> tuple[float, int]:
    """A number as printed on a page of ``lang`` and its decimals (``1,234.5`` / ``1.234,5``
    → (1234.5, 1)); ``−`` is a minus."""
    s = text.strip().replace("−", "-").replace("+", "")
    dec_sep, group_sep = (".", ",") if lang == "en" else (",", ".")
    s = s.replace(group_sep, "")
    decimals = len(s.split(dec_sep)[1]) if dec_sep in s else 0
    return float(s.replace(dec_sep, ".")), decimals


def shown(text: str, value: float, lang: str, *, slack: float = 1.0) -> bool:
    """Whether ``text`` (a number printed with its digits) is ``value`` rounded: within
    half a unit of its last digit (``slack`` widens that for rounded percentages)."""
    printed, decimals = number(text, lang)
    if not np.isfinite(value):
        return False
    return abs(printed - value) <= slack * 0.5 * 10.0 ** -decimals + 1e-9 * abs(value)


def numbers_in(text: str, lang: str) -> list[tuple[float, int]]:
    return [number(m, lang) for m in re.findall(NUM, text)]


# --------------------------------------------------------------------------- phrases

#: What each language says, as regular expressions (the catalog's words).
PHRASES = {
    "en": {
        "effect": r"(?P<amount>over 99%|over 100-fold|(?:" + NUM + r")(?:%|-fold)) "
                  r"(?P<dir>below|above) (?:where the trend|that trend)",
        "moved": r"\b(?P<dir>rose|fell) from (?P<before>.+?) before to (?P<after>.+?) after "
                 r"on average",
        "averaged": r"it averaged (?P<before>.+?) before and (?P<after>.+?) after",
        "ci": r"\(95% CI (?P<ci>[^;)]+)",
        "fall": "fall", "rise": "rise", "fold": "-fold",
        "dir_down": ("below", "fell"), "dir_up": ("above", "rose"),
        "p_holm": r"p \(Holm\) (?P<op>=|<) (?P<p>" + NUM + ")",
        "family": r"adjusting for the (?P<n>\d+) confirmatory outcomes?",
        "strong": "the evidence is strong", "moderate": "the evidence is moderate",
        "not_significant": r"not significant|but not after adjust",
        "exploratory": r"\bexploratory\b",
        "p_raw": r"\bp (?P<op>=|<) (?P<p>" + NUM + r")(?:, not adjusted| \(unadjusted\))",
        "placebo": "Caution: at a pretend start before the programme",
        "exact": r"it went from (?P<before>.+?) before to (?P<after>.+?) after "
                 r"\((?P<what>[^)]*exact[^)]*)\)",
        "events": r"too few events \((?P<before>\d+) before, (?P<after>\d+) after",
        "none": "none",
        "five_s": r"5S index (?P<dir>rose|fell) by (?P<points>" + NUM + r") points out of 100, "
                  r"from (?P<before>" + NUM + r") at the first audit to (?P<after>" + NUM + ")",
        "survey": r"mean score (?P<dir>rose|fell) by (?P<points>" + NUM + r") points",
        "means": r"mean (?P<before>" + NUM + r") before, (?P<after>" + NUM + r") after",
        "not_tracked": "not tracked", "privacy": "fewer than 5 respondents",
        "lead": r"Of the (?P<planned>\d+) confirmatory outcomes? of the plan .*?, (?P<m>\d+) "
                r"could be judged here.*?: (?P<improved>\d+) improved, (?P<worsened>\d+) "
                r"worsened, (?P<unclear>\d+) changed",
        "lead_short": r"and (?P<n>\d+) had too little data",
        "consistent": r"Consistent: (?:all |the )?(?P<n>\d+) sensitivity",
        "inconsistent": r"Not consistent: (?P<same>\d+) of (?P<n>\d+) sensitivity",
        "placebo_unstable": r"shows a change \(p (?:=|<) (?P<p>" + NUM + r")\)",
        "placebo_fine": r"compatible with no change \(p (?:=|<) (?P<p>" + NUM + r")\)",
        "pooled": r"across the (?P<k>\d+) enterprises, the estimated mean change.*? is "
                  r"(?P<est>\S+(?: points)?) \(95% CI (?P<lo>.+?) to (?P<hi>.+?)\); "
                  r"(?P<verdict>.*?)\.(?: |$)",
        "tau0": "could not be estimated from",
        "pi": r"in the range (?P<pi>.+?) \(95% prediction interval\)",
        "improved": "improved", "worsened": "worsened",
        "groups": r"(?P<items>[^;()]+?) \((?P<verdict>improved after adjustment|worsened after "
                  r"adjustment|could be chance)\)",
        "verdicts": {"improved after adjustment": "improved",
                     "worsened after adjustment": "worsened",
                     "could be chance": "inconclusive"},
        "and": " and ",
        "expect": r"\b(could|can|would|will|may) expect",
        # explanations a page gives once in full, then briefly
        "once": ("so it could be chance", "outside the confirmatory outcomes",
                 "a description that ignores the trend"),
    },
    "id": {
        "effect": r"(?P<amount>lebih dari 99%|lebih dari 100 kali lipat|(?:" + NUM + r")"
                  r"(?:%| kali lipat)) (?P<dir>di bawah|di atas) (?:arah tren|tren itu)",
        "moved": r"\b(?P<dir>naik|turun) dari rata-rata (?P<before>.+?) sebelum menjadi "
                 r"(?P<after>.+?) sesudah",
        "averaged": r"rata-ratanya (?P<before>.+?) sebelum dan (?P<after>.+?) sesudah",
        "ci": r"\(SK 95% (?P<ci>[^;)]+)",
        "fall": "turun", "rise": "naik", "fold": " kali lipat",
        "dir_down": ("di bawah", "turun"), "dir_up": ("di atas", "naik"),
        "p_holm": r"p \(Holm\) (?P<op>=|<) (?P<p>" + NUM + ")",
        "family": r"disesuaikan untuk (?P<n>\d+) hasil konfirmatori",
        "strong": "buktinya kuat", "moderate": "buktinya sedang",
        "not_significant": r"tidak signifikan|tetapi tidak setelah (?:disesuaikan|penyesuaian)",
        "exploratory": r"\beksploratif\b",
        "p_raw": r"\bp (?P<op>=|<) (?P<p>" + NUM + r")(?:, tanpa penyesuaian| \(tanpa "
                 r"penyesuaian\))",
        "placebo": "Perhatian: pada awal semu sebelum program",
        "exact": r"lajunya berubah dari (?P<before>.+?) sebelum menjadi (?P<after>.+?) sesudah "
                 r"\((?P<what>[^)]*eksak[^)]*)\)",
        "events": r"kejadian terlalu sedikit \((?P<before>\d+) sebelum, (?P<after>\d+) sesudah",
        "none": "nol",
        "five_s": r"indeks 5R (?P<dir>naik|turun) (?P<points>" + NUM + r") poin dari 100, dari "
                  r"(?P<before>" + NUM + r") pada audit pertama menjadi (?P<after>" + NUM + ")",
        "survey": r"skor rata-rata (?P<dir>naik|turun) (?P<points>" + NUM + r") poin",
        "means": r"rata-rata (?P<before>" + NUM + r") sebelum, (?P<after>" + NUM + r") sesudah",
        "not_tracked": "tidak dicatat", "privacy": "kurang dari 5 responden",
        "lead": r"Dari (?P<planned>\d+) hasil konfirmatori dalam rencana .*?, (?P<m>\d+) dapat "
                r"dinilai di sini.*?: (?P<improved>\d+) membaik, (?P<worsened>\d+) memburuk, "
                r"(?P<unclear>\d+) berubah",
        "lead_short": r"dan (?P<n>\d+) datanya terlalu sedikit",
        "consistent": r"Konsisten: ke-(?P<n>\d+) analisis sensitivitas",
        "inconsistent": r"Tidak konsisten: hanya (?P<same>\d+) dari (?P<n>\d+) analisis",
        "placebo_unstable": r"menunjukkan perubahan \(p (?:=|<) (?P<p>" + NUM + r")\)",
        "placebo_fine": r"sesuai dengan tidak adanya perubahan \(p (?:=|<) (?P<p>" + NUM + r")\)",
        "pooled": r"di (?P<k>\d+) perusahaan, estimasi perubahan rata-rata.*? adalah "
                  r"(?P<est>\S+(?: poin)?) \(SK 95% (?P<lo>.+?) sampai (?P<hi>.+?)\); "
                  r"(?P<verdict>.*?)\.(?: |$)",
        "tau0": "tidak dapat diestimasi dari",
        "pi": r"dalam rentang (?P<pi>.+?) \(selang prediksi 95%\)",
        "improved": "membaik", "worsened": "memburuk",
        "groups": r"(?P<items>[^;()]+?(?:\([a-z]+\)[^;()]*?)*) \((?P<verdict>membaik setelah "
                  r"penyesuaian|memburuk setelah penyesuaian|bisa saja kebetulan)\)",
        "verdicts": {"membaik setelah penyesuaian": "improved",
                     "memburuk setelah penyesuaian": "worsened",
                     "bisa saja kebetulan": "inconclusive"},
        "and": " dan ",
        "expect": r"\bdapat mengharapkan\b|\bbisa mengharapkan\b",
        "once": ("jadi bisa saja kebetulan", "di luar hasil konfirmatori",
                 "hanya gambaran yang mengabaikan tren"),
    },
}


def finite(v) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def ratio_amount_ok(amount: str, ratio: float, lang: str, direction: int) -> bool:
    """``34%`` below ↔ 0.66, ``12%`` above ↔ 1.12, ``2.9-fold`` ↔ 2.9, to the digits shown."""
    ph = PHRASES[lang]
    if amount.startswith(("over", "lebih dari")):
        return (1 - ratio) * 100 > 99 if direction < 0 else ratio > 100
    if amount.endswith(ph["fold"]):
        return shown(amount[: -len(ph["fold"])], ratio, lang)
    pct = amount.rstrip("%")
    return shown(pct, (1 - ratio) * 100 if direction < 0 else (ratio - 1) * 100, lang)


def signed_change_ok(text: str, value: float, lang: str, *, ratio: bool) -> bool:
    """A signed change as printed in tables and headlines: ``−34%`` ↔ 0.66, ``×2.9`` ↔ 2.9,
    ``+0.41 points`` ↔ 0.41."""
    text = text.strip().rstrip(".,;")
    if not ratio:
        return shown(re.sub(r" (points|poin)$", "", text), value, lang)
    if text.startswith("> ×") or text.startswith("< −99"):
        return value > 100 if text.startswith(">") else value < 0.01
    if text.startswith("×"):
        return shown(text[1:], value, lang)
    return shown(text.rstrip("%"), (value - 1) * 100, lang, slack=1.0)


def interval_ok(text: str, low: float, high: float, lang: str) -> list[str]:
    """A rate-ratio interval in words (``21% to 45% fall``, ``turun 43% sampai naik 3,6%``):
    every amount in it is one of the two bounds, on the right side of 1."""
    ph = PHRASES[lang]
    problems = []
    amounts = re.findall(r"(lebih dari 100 kali lipat|over 100-fold|lebih dari 99%|over 99%|"
                         + NUM + r")(%|-fold| kali lipat)?", text)
    if len(amounts) != 2:
        return [f"interval {text!r} does not have two bounds"]
    words = re.findall(rf"\b({ph['fall']}|{ph['rise']})\b", text)
    for (amount, unit), bound in zip(amounts, (None, None), strict=True):
        del bound
        candidates = []
        for r in (low, high):
            if unit in ("-fold", " kali lipat"):
                candidates.append(shown(amount, r, lang))
            elif amount.startswith(("over", "lebih")):
                candidates.append(r > 100 or (1 - r) * 100 > 99)
            else:
                candidates.append(shown(amount, (1 - r) * 100, lang)
                                  or shown(amount, (r - 1) * 100, lang))
        if not any(candidates):
            problems.append(f"interval amount {amount}{unit} is neither bound "
                            f"({low:.4g}, {high:.4g})")
    if high < 1 and ph["rise"] in words:
        problems.append(f"interval {text!r} says rise for a fall")
    if low > 1 and ph["fall"] in words:
        problems.append(f"interval {text!r} says fall for a rise")
    return problems


def rate_ok(text: str, value: float, lang: str) -> bool:
    """A rate in its unit (``3.08%``, ``0.198 per 100 workers per month``, ``none``)."""
    if text.strip() == PHRASES[lang]["none"]:
        return value == 0
    found = re.search(NUM, text)
    return bool(found) and shown(found.group(0), value, lang)


# --------------------------------------------------------------------------- the checker


@dataclass
class Context:
    """What a sentence is checked against: one indicator's rows of one enterprise, the
    enterprise's confirmatory family and the settings of the run."""

    rows: pd.DataFrame
    family: int
    lang: str

    def row(self, method: str | None = None) -> pd.Series | None:
        sub = (self.rows[self.rows["primary"]] if method is None
               else self.rows[self.rows["method"] == method])
        return None if sub.empty else sub.iloc[0]


def sentence_problems(text: str, ctx: Context) -> list[str]:
    """Everything one result sentence says that its rows contradict (empty: nothing)."""
    ph = PHRASES[ctx.lang]
    lang = ctx.lang
    row = ctx.row()
    problems: list[str] = []
    if row is None:
        return ["no primary row for this sentence"]
    if re.search(r"\binf\b|∞|×inf", text):
        problems.append("an infinite value is printed")
    if row["status"] == "not_reported":
        return [] if ph["not_tracked"] in text else ["a row that is not tracked is not said so"]
    if row["status"] == "suppressed":
        rest = text.replace(ph["privacy"], "")
        return ([] if ph["privacy"] in text and not re.search(r"\d", rest)
                else ["a suppressed group shows numbers"])
    # --- evidence: adjusted for the confirmatory family, unadjusted for the others
    confirmatory = bool(row["confirmatory"])
    for m in re.finditer(ph["family"], text):
        if int(m["n"]) != ctx.family:
            problems.append(f"family of {m['n']} where the analysis adjusted {ctx.family}")
    if confirmatory and row["status"] == "ok":
        m = re.search(ph["p_holm"], text)
        if not m:
            problems.append("a confirmatory result without its adjusted p (Holm)")
        elif m["op"] == "=" and not shown(m["p"], row["p_holm"], lang):
            problems.append(f"p (Holm) {m['p']} is not {row['p_holm']:.4g}")
        elif m["op"] == "<" and not row["p_holm"] < number(m["p"], lang)[0]:
            problems.append(f"p (Holm) < {m['p']} but it is {row['p_holm']:.4g}")
        p = float(row["p_holm"])
        says = {"strong": ph["strong"] in text, "moderate": ph["moderate"] in text,
                "none": bool(re.search(ph["not_significant"], text))}
        want = "strong" if p < PLAN.strong_evidence else "moderate" if p < PLAN.alpha \
            else "none"
        if not says[want] or sum(says.values()) != 1:
            problems.append(f"evidence worded {says} for an adjusted p of {p:.4g}")
    elif row["status"] == "ok" and row["domain"] != "five_s":
        if re.search(ph["p_holm"], text) or "Holm" in text:
            problems.append("an exploratory result carries an adjusted p")
        if not re.search(ph["exploratory"], text):
            problems.append("an exploratory result is not called exploratory")
        m = re.search(ph["p_raw"], text)
        if not m or not shown(m["p"], row["p_value"], lang) and m["op"] == "=":
            problems.append("an exploratory result without its unadjusted p")
    if row["domain"] == "kpi":
        problems += _kpi_problems(text, row, ctx)
    elif row["domain"] == "five_s":
        problems += _five_s_problems(text, row, ctx)
    else:
        problems += _survey_problems(text, row, ctx)
    return problems


def _kpi_problems(text: str, row: pd.Series, ctx: Context) -> list[str]:
    ph, lang = PHRASES[ctx.lang], ctx.lang
    problems = []
    for m in re.finditer(ph["events"], text):
        code = str(row.get("note_code", ""))
        want = re.search(r"too_few_events\(before=(\d+),after=(\d+)", code)
        if not want or (m["before"], m["after"]) != want.groups():
            problems.append(f"events {m['before']}/{m['after']} are not the note's {code!r}")
    if row["status"] != "ok":
        exact = ctx.row("rate_ratio_exact")
        m = re.search(ph["exact"], text)
        if exact is not None and exact["status"] == "ok":
            if not m:
                return problems + ["the exact comparison of the rates is not shown"]
            if not rate_ok(m["before"], exact["pre_value"], lang) \
                    or not rate_ok(m["after"], exact["post_value"], lang):
                problems.append("the exact comparison's rates are not its row's")
            multiples = [number(x, lang)[0] for x in re.findall(r"×(" + NUM + ")", m["what"])]
            est, lo, hi = (float(exact[c]) for c in ("estimate", "ci_low", "ci_high"))
            expected = [v for v in (est, lo, hi) if finite(v)]
            for x in re.findall(r"×(" + NUM + ")", m["what"]):
                if not any(shown(x, v, lang) for v in expected):
                    problems.append(f"×{x} is not the exact ratio or a limit of it")
            if not finite(est) and len(multiples) != 1:
                problems.append("an infinite ratio must show only its lower limit")
        elif m:
            problems.append("an exact comparison the analysis did not write")
        else:
            m = re.search(ph["averaged"], text)
            if finite(row["pre_value"]) and (not m or not rate_ok(m["before"], row["pre_value"],
                                                                   lang)
                                             or not rate_ok(m["after"], row["post_value"],
                                                            lang)):
                problems.append("the rates before and after are not shown")
        return problems
    est = float(row["estimate"])
    sign = -1 if est < 1 else 1 if est > 1 else 0
    m = re.search(ph["effect"], text)
    if row["method"] in ("its_effect_end", "cits_effect_end"):
        if not m:
            return problems + ["the effect at the last month is not stated"]
        direction = -1 if m["dir"] in ph["dir_down"] else 1
        if direction != sign:
            problems.append(f"says {m['dir']} for an estimate of {est:.4g}")
        if not ratio_amount_ok(m["amount"], est, lang, direction):
            problems.append(f"amount {m['amount']} is not the estimate {est:.4g}")
    ci = re.search(ph["ci"], text)
    if not ci:
        problems.append("no interval")
    else:
        problems += interval_ok(ci["ci"], float(row["ci_low"]), float(row["ci_high"]), lang)
    moved = re.search(ph["moved"], text)
    averaged = re.search(ph["averaged"], text)
    shown_rates = moved or averaged
    if not shown_rates:
        problems.append("the averages before and after are not shown")
    elif not (rate_ok(shown_rates["before"], row["pre_value"], lang)
              and rate_ok(shown_rates["after"], row["post_value"], lang)):
        problems.append("the averages shown are not the row's")
    if moved:
        went = -1 if moved["dir"] in ph["dir_down"] else 1
        if went != np.sign(float(row["post_value"]) - float(row["pre_value"])):
            problems.append(f"says the rate {moved['dir']} from {row['pre_value']:.4g} to "
                            f"{row['post_value']:.4g}")
    elif averaged and sign and row["method"] in ("its_effect_end", "cits_effect_end"):
        before, after = float(row["pre_value"]), float(row["post_value"])
        printed_b, _d = number(re.search(NUM, averaged["before"]).group(0), lang) \
            if re.search(NUM, averaged["before"]) else (before, 0)
        printed_a, _d = number(re.search(NUM, averaged["after"]).group(0), lang) \
            if re.search(NUM, averaged["after"]) else (after, 0)
        if printed_a != printed_b and np.sign(after - before) != sign:
            problems.append("the averages moved the other way than the estimate, and the "
                            "sentence does not say both")
    placebo = ctx.row("placebo_effect_end")
    warned = ph["placebo"] in text
    should = (placebo is not None and placebo["status"] == "ok" and finite(placebo["p_value"])
              and placebo["p_value"] < PLAN.alpha)
    if warned != should:
        problems.append(f"placebo warning {'shown' if warned else 'missing'} for a placebo "
                        f"p of {placebo['p_value'] if placebo is not None else None}")
    return problems


def _five_s_problems(text: str, row: pd.Series, ctx: Context) -> list[str]:
    ph, lang = PHRASES[ctx.lang], ctx.lang
    if row["status"] != "ok":
        return []
    m = re.search(ph["five_s"], text)
    if not m:
        return ["the 5S change is not described"]
    problems = []
    if (m["dir"] in ph["dir_down"]) != (float(row["estimate"]) < 0):
        problems.append(f"5S index {m['dir']} for a change of {row['estimate']:.4g}")
    for key, value in (("points", abs(row["estimate"])), ("before", row["pre_value"]),
                       ("after", row["post_value"])):
        if not shown(m[key], float(value), lang):
            problems.append(f"5S {key} {m[key]} is not {value:.4g}")
    return problems


def _survey_problems(text: str, row: pd.Series, ctx: Context) -> list[str]:
    ph, lang = PHRASES[ctx.lang], ctx.lang
    if row["status"] != "ok":
        return []
    problems = []
    m = re.search(ph["survey"], text)
    if not m:
        return ["the survey change is not stated"]
    if (m["dir"] in ph["dir_down"]) != (float(row["estimate"]) < 0):
        problems.append(f"mean score {m['dir']} for a change of {row['estimate']:.4g}")
    if not shown(m["points"], abs(float(row["estimate"])), lang):
        problems.append(f"change {m['points']} is not {row['estimate']:.4g}")
    means = re.search(ph["means"], text)
    if not means or not (shown(means["before"], row["pre_value"], lang)
                         and shown(means["after"], row["post_value"], lang)):
        problems.append("the survey means are not the row's")
    return problems


def lead_problems(text: str, results: pd.DataFrame, lang: str) -> list[str]:
    """The lead of an enterprise's summary: the plan's family, the outcomes judged and
    what became of them."""
    ph = PHRASES[lang]
    m = re.search(ph["lead"], text)
    if not m:
        return ["the lead does not state the confirmatory family"]
    planned = [i for i in PLAN.confirmatory if i in set(results["indicator"])]
    family = results[results["confirmatory"].astype(bool)]
    judged = family[family["status"] == "ok"]
    problems = []
    want = {"planned": len(planned), "m": len(family),
            "improved": int((judged["direction"] == "improved").sum()),
            "worsened": int((judged["direction"] == "worsened").sum()),
            "unclear": int((judged["direction"] == "inconclusive").sum())}
    for key, value in want.items():
        if int(m[key]) != value:
            problems.append(f"lead says {key} = {m[key]}, the results {value}")
    short = re.search(ph["lead_short"], text)
    n_short = int((family["status"] == "insufficient_data").sum())
    if (int(short["n"]) if short else 0) != n_short:
        problems.append(f"lead counts {short['n'] if short else 0} without data, the results "
                        f"{n_short}")
    return problems


def robustness_problems(text: str, results: pd.DataFrame, lang: str) -> list[str]:
    """The verdict under a "How robust is this?" table, against the analysis's answer."""
    from score_analysis.stats.robustness import robustness_verdicts

    ph = PHRASES[lang]
    v = robustness_verdicts(results, settings=PLAN)
    if v.empty:
        return ["no robustness verdict for this table"]
    v = v.iloc[0]
    problems = []
    yes, no = re.search(ph["consistent"], text), re.search(ph["inconsistent"], text)
    if v["consistent"] is pd.NA or pd.isna(v["consistent"]):
        if yes or no:
            problems.append("a verdict where nothing could be compared")
    elif bool(v["consistent"]):
        if not yes or int(yes["n"]) != v["n_sensitivity"]:
            problems.append(f"not called consistent with {v['n_sensitivity']} agreeing")
    elif not no or (int(no["same"]), int(no["n"])) != (v["n_same_sign"], v["n_sensitivity"]):
        problems.append(f"not called inconsistent ({v['n_same_sign']} of "
                        f"{v['n_sensitivity']})")
    unstable = re.search(ph["placebo_unstable"], text)
    fine = re.search(ph["placebo_fine"], text)
    if bool(v["placebo_warning"]) != bool(unstable):
        problems.append("placebo verdict does not follow its p")
    for m in (unstable, fine):
        if m and not shown(m["p"], float(v["placebo_p"]), lang):
            problems.append(f"placebo p {m['p']} is not {v['placebo_p']:.4g}")
    return problems


# --------------------------------------------------------------------------- synthesis


def pooled_problems(text: str, row: pd.Series, family: int, lang: str) -> list[str]:
    """One pooled sentence against its row of pooled.csv."""
    ph = PHRASES[lang]
    m = re.search(ph["pooled"], text)
    if not m:
        return ["the pooled estimate is not stated"]
    ratio = row["estimate_scale"] == "rate_ratio"
    problems = []
    if int(m["k"]) != int(row["k"]):
        problems.append(f"k = {m['k']}, pooled.csv {row['k']}")
    for key, col in (("est", "estimate"), ("lo", "ci_low"), ("hi", "ci_high")):
        if not signed_change_ok(m[key], float(row[col]), lang, ratio=ratio):
            problems.append(f"{col} {m[key]} is not {row[col]:.4g}")
    verdict = m["verdict"]
    direction = row["direction"]
    if bool(row["confirmatory"]):
        for n in re.findall(ph["family"], verdict):
            if int(n) != family:
                problems.append(f"pooled family {n}, pooled.csv {family}")
        says = ("improved" if verdict.startswith(ph["improved"]) else "worsened"
                if verdict.startswith(ph["worsened"]) else "inconclusive")
        if says != direction:
            problems.append(f"pooled verdict {says!r}, pooled.csv {direction!r}")
    elif not re.search(ph["exploratory"], verdict):
        problems.append("an exploratory pooled row is not called exploratory")
    zero = (finite(row["tau2"]) and float(row["tau2"]) == 0.0) or "tau2_zero" in str(
        row.get("note_code", ""))
    if (ph["tau0"] in text) != zero:
        problems.append(f"τ² sentence {'shown' if ph['tau0'] in text else 'missing'} for "
                        f"τ² = {row['tau2']}")
    pi = re.search(ph["pi"], text)
    if not zero:
        if not pi:
            problems.append("no prediction interval")
        elif ratio:
            problems += interval_ok(pi["pi"], float(row["pi_low"]), float(row["pi_high"]), lang)
        else:
            ends = re.findall(NUM, pi["pi"])
            if len(ends) != 2 or not (shown(ends[0], float(row["pi_low"]), lang)
                                      and shown(ends[1], float(row["pi_high"]), lang)):
                problems.append("the prediction interval is not pooled.csv's")
    return problems


def headline_problems(text: str, rows: pd.DataFrame, lang: str, labels: dict[str, str]
                      ) -> list[str]:
    """An index headline: every "name ±change (verdict)" against the primary rows."""
    ph = PHRASES[lang]
    problems = []
    groups = list(re.finditer(ph["groups"], text))
    if not groups:
        return [f"headline {text!r} names no change"]
    seen = 0
    for g in groups:
        verdict = ph["verdicts"][g["verdict"]]
        items = re.split(r", |" + ph["and"], g["items"].strip().lstrip(":").strip())
        for item in items:
            item = re.sub(r"^.*?: ", "", item).strip()
            m = re.match(r"(?P<name>.+?) (?P<change>[+−×<>][^ ]*(?: (?:points|poin))?)$", item)
            if not m:
                problems.append(f"headline item {item!r} has no change")
                continue
            indicator = labels.get(m["name"].lower())
            own = rows[(rows["indicator"] == indicator) & rows["primary"].astype(bool)]
            if own.empty:
                problems.append(f"headline names {m['name']!r}, not a primary row")
                continue
            r = own.iloc[0]
            ratio = r["estimate_scale"] == "rate_ratio"
            if not signed_change_ok(m["change"], float(r["estimate"]), lang, ratio=ratio):
                problems.append(f"{m['name']} {m['change']} is not {r['estimate']:.4g}")
            if r["direction"] != verdict:
                problems.append(f"{m['name']} listed as {verdict}, the table {r['direction']}")
            seen += 1
    if not seen:
        problems.append("headline checks nothing")
    return problems


# --------------------------------------------------------------------------- fast tests


def _row(**values) -> pd.Series:
    row = {"enterprise_id": "e", "domain": "kpi", "indicator": "reject_rate",
           "method": "its_effect_end", "primary": True, "confirmatory": True, "status": "ok",
           "pre_value": 3.08, "post_value": 4.41, "estimate": 0.87, "estimate_scale":
           "rate_ratio", "ci_low": 0.7, "ci_high": 1.08, "p_value": 0.2, "p_holm": 0.4,
           "direction": "inconclusive", "note": "", "note_code": ""}
    row.update(values)
    return pd.Series(row)


def _context(*rows: pd.Series, family: int = 6, lang: str = "en") -> Context:
    return Context(pd.DataFrame(list(rows)), family, lang)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_checker_passes_the_sentences_the_pages_write(lang):
    from score_analysis.i18n import use_language
    from score_analysis.report import summary_sentence

    row = _row()
    with use_language(lang):
        text = summary_sentence(row, family=6, trend_end=5.0)
    assert sentence_problems(text, _context(row, lang=lang)) == [], text


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_checker_catches_a_changed_word_or_number(lang):
    from score_analysis.i18n import use_language
    from score_analysis.report import summary_sentence

    row = _row()
    with use_language(lang):
        text = summary_sentence(row, family=6, trend_end=5.0)
    ph = PHRASES[lang]
    down, up = ph["dir_down"], ph["dir_up"]
    broken = {
        "direction of the effect": text.replace(down[0], up[0]),
        "direction of the averages": text.replace(up[1], down[1], 1),
        "the amount": re.sub(r"13%", "31%", text),
        "the average before": text.replace("3.08" if lang == "en" else "3,08",
                                           "3.80" if lang == "en" else "3,80"),
        "the family size": re.sub(r"(\D)6 (confirmatory|hasil konfirmatori)", r"\g<1>9 \2",
                                  text),
        "the adjusted p": text.replace("0.400" if lang == "en" else "0,400",
                                       "0.004" if lang == "en" else "0,004"),
        "the verdict": re.sub(ph["not_significant"], ph["strong"], text, count=1),
    }
    for what, sentence in broken.items():
        assert sentence != text, what
        assert sentence_problems(sentence, _context(row, lang=lang)), what


def test_the_checker_catches_an_exploratory_result_worded_as_adjusted():
    from score_analysis.report import summary_sentence

    row = _row(indicator="turnover_rate", confirmatory=False, p_holm=np.nan,
               direction="not_tested", p_value=0.04)
    text = summary_sentence(row, family=6)
    assert sentence_problems(text, _context(row)) == []
    adjusted = summary_sentence(_row(p_value=0.04), family=6)
    assert sentence_problems(adjusted, _context(row))


def test_the_checker_reads_sparse_counts_and_never_infinity():
    from score_analysis.report import summary_sentence

    row = _row(indicator="suggestion_rate", confirmatory=False, status="insufficient_data",
               estimate=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan, p_holm=np.nan,
               pre_value=0.0, post_value=8.1, direction="not_tested",
               note_code="too_few_events(before=0,after=67,needed=10)")
    exact = _row(indicator="suggestion_rate", method="rate_ratio_exact", primary=False,
                 confirmatory=False, estimate=np.inf, ci_low=15.2, ci_high=np.inf,
                 p_value=1e-9, pre_value=0.0, post_value=8.1)
    text = summary_sentence(row, exact=exact)
    ctx = _context(row, exact)
    assert sentence_problems(text, ctx) == [], text
    assert sentence_problems(text.replace("×15", "×inf"), ctx)
    assert sentence_problems(text.replace("×15", "×51"), ctx)
    assert sentence_problems(text.replace("67 after", "76 after"), ctx)


def test_the_number_reader_follows_the_locale():
    assert number("1,234.5", "en") == (1234.5, 1)
    assert number("1.234,5", "id") == (1234.5, 1)
    assert number("−0,052", "id") == (-0.052, 3)
    assert shown("3.08", 3.0849, "en") and not shown("3.08", 3.0851, "en")


# --------------------------------------------------------------------------- the pages


LANG_DIRS = {"en": "", "id": "id/"}


def _labels(lang: str) -> dict[str, str]:
    """Lower-case indicator names of ``lang`` → indicator (to read headlines)."""
    from score_analysis.i18n import use_language
    from score_analysis.report.wording import indicator_name

    names = [*PLAN.confirmatory, "suggestion_rate", "implementation_rate",
             "accident_frequency", "turnover_rate", "cooperation", "job_satisfaction",
             "five_s_index"]
    with use_language(lang):
        return {indicator_name(i).lower(): i for i in names}


@pytest.fixture(scope="module")
def tables(built_reports: Path) -> dict[str, pd.DataFrame]:
    results = pd.read_csv(built_reports / "results.csv", keep_default_na=True,
                          dtype={"note_code": str, "note": str})
    pooled = pd.read_csv(built_reports / "pooled.csv")
    for frame in (results, pooled):
        for col in ("primary", "confirmatory"):
            frame[col] = frame[col].astype(str).str.lower().eq("true")
    results["note_code"] = results["note_code"].fillna("")
    return {"results": results, "pooled": pooled}


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_sentence_of_every_enterprise_page_agrees_with_results_csv(built_reports,
                                                                        tables, lang):
    results = tables["results"]
    checked = 0
    for eid, own in results.groupby("enterprise_id"):
        page = built_reports / f"{LANG_DIRS[lang]}enterprises/{eid}.html"
        doc = tree(page.read_text(encoding="utf-8"))
        text = squash(doc.text)
        assert not re.search(PHRASES[lang]["expect"], text), (page, "expect")
        family = int(own["confirmatory"].sum())
        problems = []
        leads = doc.find_all(lambda n: n.tag == "p" and n.has_class("lead"))
        assert len(leads) == 1, page
        problems += [("lead", p) for p in lead_problems(squash(leads[0].text), own, lang)]
        items = doc.find_all(lambda n: n.tag == "li" and "data-indicator" in n.attrs)
        primaries = own[own["primary"]]
        assert sorted(i.attrs["data-indicator"] for i in items) == sorted(
            primaries["indicator"]), page
        panels = doc.find_all(lambda n: n.has_class("indicator") and "data-indicator" in n.attrs)
        assert panels, page
        for node in items + panels:
            indicator = node.attrs["data-indicator"]
            ctx = Context(own[own["indicator"] == indicator], family, lang)
            captions = ([node] if node.tag == "li" else
                        node.find_all(lambda n: n.tag == "figcaption"))
            for cap in captions:
                sentence = squash(cap.text)
                problems += [(sentence, p) for p in sentence_problems(sentence, ctx)]
                checked += 1
            for note in (node.find_all(lambda n: n.tag == "p" and n.has_class("note"))
                         if node.tag == "div" else []):
                sentence = squash(note.text)
                problems += [(sentence, p) for p in robustness_problems(
                    sentence, own[own["indicator"] == indicator], lang)]
                checked += 1
        # "never mix": every family size stated on the page is the same, the adjusted one
        sizes = {int(n) for n in re.findall(PHRASES[lang]["family"], text)}
        assert sizes <= {family}, (page, sizes, family)
        # no stock phrase repeated: each explanation once in full on the page
        for phrase in PHRASES[lang]["once"]:
            assert text.count(phrase) <= 1, (page, phrase, text.count(phrase))
        assert problems == [], (page, problems)
    assert checked >= 40


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_sentence_of_the_synthesis_agrees_with_pooled_csv(built_reports, tables, lang):
    pooled = tables["pooled"]
    page = built_reports / f"{LANG_DIRS[lang]}synthesis.html"
    doc = tree(page.read_text(encoding="utf-8"))
    assert not re.search(PHRASES[lang]["expect"], squash(doc.text)), page
    family = int((pooled["primary"] & pooled["confirmatory"]).sum())
    items = doc.find_all(lambda n: n.tag == "li" and "data-indicator" in n.attrs)
    shown_rows = pooled[pooled["primary"] & pooled["estimate"].notna()]
    assert sorted(i.attrs["data-indicator"] for i in items) == sorted(shown_rows["indicator"])
    problems = []
    for item in items:
        row = shown_rows[shown_rows["indicator"] == item.attrs["data-indicator"]].iloc[0]
        sentence = squash(item.text)
        problems += [(sentence, p) for p in pooled_problems(sentence, row, family, lang)]
    assert problems == []
    assert items, "the fixture pools at least one indicator"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_index_headline_agrees_with_the_tables(built_reports, tables, lang):
    page = built_reports / f"{LANG_DIRS[lang]}index.html"
    doc = tree(page.read_text(encoding="utf-8"))
    labels = _labels(lang)
    problems, checked = [], 0
    for tr in doc.find_all(lambda n: n.tag == "tr"):
        links = tr.find_all(lambda n: n.tag == "a")
        cells = [c for c in tr.children if isinstance(c, Node) and c.tag == "td"]
        if not links or not cells:
            continue
        href = links[0].attrs.get("href", "")
        headline = squash(cells[-1].text)
        if not (href == "synthesis.html" or href.startswith("enterprises/")):
            continue  # the reviewers' appendix pages and the workshop pack: no headline
        if href.endswith("synthesis.html"):
            rows = tables["pooled"].assign(enterprise_id="")
        else:
            eid = Path(href).stem
            rows = tables["results"][tables["results"]["enterprise_id"] == eid]
        problems += [(headline, p) for p in headline_problems(headline, rows, lang, labels)]
        checked += 1
    assert checked >= 4, page
    assert problems == []
