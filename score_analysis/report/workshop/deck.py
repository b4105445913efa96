"""The editable slide deck of the final result workshop (python-pptx), one per language.

16:9 slides whose every text is an ordinary text box or placeholder that PowerPoint and
LibreOffice Impress edit (the slide master and layouts are widened to 16:9 too, so a
slide added by hand fits).  Body text is at least 18 pt; the titles 30 pt.  When the data
are simulated, every slide carries the simulated-data banner.  Every picture carries its
alt text (``descr``).  The slides speak in plain words: no p-value, τ², I² or Holm on a
slide; the speaker notes carry the exact figures, intervals and adjusted p for whoever is
asked.

Slides: title; the programme and its timeline; for each enterprise its key numbers and
its chart; what changed across the enterprises (chart), how much they differed, what the
evidence supports; what was put in place (the implementation records, or that none were
provided); good practices, lessons learned and constraints as the enterprises wrote them;
how to read the results (method and caveats).  A list too long for one slide continues
on the next (the length of the text is estimated from its size).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ...data.contract import QUALITATIVE_KINDS
from ...i18n import N_, current_language, ngettext, use_language
from ...i18n import gettext as _
from ..wording import KIND_TITLES, SIMULATED_BANNER, indicator_label
from . import content
from .loading import WorkshopData
from .pages import (
    Chart,
    enterprise_messages,
    enterprise_timeline,
    note_language,
    programme_timeline,
)
from .wording import (
    PACK_TITLE,
    PROGRAMME_KICKER,
    evidence_sentence,
    exact_figures,
    implementation_text,
    pooled_figures,
    pooled_text,
    spread_counts,
    spread_range,
)

WIDTH_IN, HEIGHT_IN = 13.333, 7.5
MARGIN_IN = 0.55
TITLE_PT, BODY_PT, SMALL_PT = 30, 20, 18
#: Body text is never smaller than this (a test reads every run).
MIN_BODY_PT = 18
BANNER_FILL, BANNER_LINE, BANNER_TEXT = "FFF3CD", "B58900", "4D3900"
INK, MUTED, GOOD, BAD = "1B1F24", "57606A", "00704A", "B34000"
LANGUAGE_IDS = {"en": "en-US", "id": "id-ID"}
#: The deck's file name in ``reports/workshop/<lang>/``.
DECK_NAME = "final_workshop.pptx"

CAVEATS = (
    N_("Each enterprise is compared with itself before and after the programme."),
    N_("The monthly figures allow for the trend before the programme and for the Lebaran "
       "months; this rules out some other explanations, not all."),
    N_("A change can also come from orders, prices, new machines or staff changes at the "
       "same time: the figures show what changed, they do not prove that the programme "
       "caused it."),
    N_("\"Not clear enough to rule out chance\" does not mean that nothing changed: the "
       "change was too small or too uneven from month to month to be told apart from "
       "chance."),
    N_("The 5S audits describe the workplaces; the worker survey reports what workers who "
       "took part in the programme thought."),
)
COMPARISON_CAVEAT = N_("Where enterprises that did not take part were recorded, the monthly "
                       "figures are also compared with them, which rules out changes that "
                       "hit every enterprise at once.")
SIMULATED_CAVEAT = N_("These slides show simulated demonstration data: they illustrate the "
                      "method and describe no real enterprise.")


@dataclass
class Para:
    """One paragraph of a text box: runs of ``(text, bold, colour, lang)``; ``lang`` None
    is the deck's language, ``""`` an unknown one (left unmarked)."""

    runs: list[tuple[str, bool, str | None, str | None]]
    size: int = BODY_PT
    bullet: bool = True
    space_after: int = 8
    aligned: bool = False  # without a bullet, aligned with the text of the bullet above

    @property
    def length(self) -> int:
        return sum(len(t) for t, *_rest in self.runs)


@dataclass
class SlideSpec:
    """What one slide holds before it is drawn."""

    title: str
    paras: list[Para] = field(default_factory=list)
    picture: Chart | None = None
    notes: str = ""
    subtitle: str = ""


#: The text box's own margins (left and right, top and bottom) and a bullet's indent.
_INSET_IN, _BULLET_IN = 0.1, 0.32


def _lines(para: Para, width_in: float) -> int:
    """Estimated lines of a paragraph in a box ``width_in`` wide: an average character
    is taken as 0.5 of the type size (DejaVu Sans, the widest of the fonts that render the
    deck, averages 0.45 on this text; Calibri and Liberation Sans less), which also covers
    the room lost where a line breaks between words."""
    text_in = width_in - 2 * _INSET_IN - (_BULLET_IN if para.bullet or para.aligned else 0.0)
    per_line = max(int(text_in * 72 / (para.size * 0.5)), 10)
    return max(math.ceil(para.length / per_line), 1)


def text_height(paras: Sequence[Para], width_in: float) -> float:
    """Estimated height in inches of ``paras`` (1.2 line spacing, space after each, the
    box's margins)."""
    return 2 * _INSET_IN * 0.5 + sum(_lines(p, width_in) * p.size * 1.2 / 72
                                     + p.space_after / 72 for p in paras)


def paginate(title: str, paras: Sequence[Para | Sequence[Para]], *, width_in: float,
             height_in: float, notes: str = "") -> list[SlideSpec]:
    """Slides of ``paras`` under ``title``, continued on the next slide (titled
    "(continued, 2)") when they would not fit ``height_in``.  An item of ``paras`` that is
    a list of paragraphs is kept together on one slide (a key number and its sentence)."""
    blocks = [list(p) if isinstance(p, (list, tuple)) else [p] for p in paras]
    slides: list[SlideSpec] = []
    page: list[Para] = []
    for block in blocks:
        if page and text_height([*page, *block], width_in) > height_in:
            slides.append(SlideSpec(title=title, paras=page, notes=notes))
            page = []
        page.extend(block)
    slides.append(SlideSpec(title=title, paras=page, notes=notes))
    for i, s in enumerate(slides[1:], start=2):
        s.title = _("{title} (continued, {n})").format(title=title, n=i)
    return slides


# --------------------------------------------------------------------------- content


def _body_box(banner: bool) -> tuple[float, float, float, float]:
    """Left, top, width, height (inches) of the body below the title."""
    top = 1.8 if banner else 1.4
    return MARGIN_IN, top, WIDTH_IN - 2 * MARGIN_IN, HEIGHT_IN - top - 0.25


def _message_paras(messages: list[dict]) -> list[list[Para]]:
    """Each key message as two paragraphs kept together: the numbers, then the sentence."""
    out = []
    for m in messages:
        colour = GOOD if m["tone"] == "improved" else BAD if m["tone"] == "worsened" else None
        out.append([Para([(m["label"] + ": ", True, None, None),
                          (m["numbers"], True, colour, None),
                          (f" ({m['change']})" if m["change"] else "", False, None, None)],
                         size=BODY_PT, space_after=2),
                    Para([(m["verdict"], False, MUTED, None)], size=SMALL_PT, bullet=False,
                         space_after=6, aligned=True)])
    return out


def _note_paras(notes, names: dict[str, str]) -> list[Para]:
    out = []
    for r in notes.itertuples(index=False):
        lang, tag = note_language(getattr(r, "language", None))
        runs = [(names.get(r.enterprise_id, r.enterprise_id) + ": ", True, None, None),
                (str(r.text), False, None, lang)]
        if tag:
            runs.append((f" ({tag})", False, MUTED, None))
        out.append(Para(runs, size=SMALL_PT, space_after=8))
    return out


def deck_slides(data: WorkshopData, charts: dict[str, Chart]) -> list[SlideSpec]:
    """Every slide of the deck in the current language (``charts``: the pack's charts by
    name, ``programme`` and each enterprise id)."""
    _left, _top, width, height = _body_box(data.simulated)
    box = {"width_in": width, "height_in": height}
    slides = _opening_slides(data, box)
    for eid in data.programme_ids:
        slides += _enterprise_slides(data, eid, charts.get(eid), box)
    slides += _across_slides(data, charts.get("programme"), box)
    slides += _implementation_slides(data, box)
    slides += _note_slides(data, box)
    slides += _closing_slides(data, box)
    return slides


def _programme_results(data: WorkshopData):
    ids = data.programme_ids
    return data.results[data.results["enterprise_id"].isin(ids)] if not data.results.empty \
        else data.results


def _opening_slides(data: WorkshopData, box: dict) -> list[SlideSpec]:
    """The title, and the programme with its timeline and its enterprises."""
    ids, names = data.programme_ids, data.names
    title = SlideSpec(
        title=_(PACK_TITLE),
        subtitle=_(PROGRAMME_KICKER) + "\n" + ngettext(
            "The achievements of {n} pilot enterprise", "The achievements of {n} pilot "
            "enterprises", len(ids)).format(n=len(ids)),
        notes=_("The exact figures behind every slide are in its speaker notes; the full "
                "reports and results.csv hold every estimate."))
    ents = data.enterprises.set_index("enterprise_id")
    locations = ents["location"] if "location" in ents.columns else {}
    paras = [Para([(_("Timeline:") + " ", True, None, None),
                   (programme_timeline(data), False, None, None)])]
    for e in ids:
        where = [v for v in (ents.at[e, "sector"], locations.get(e))
                 if isinstance(v, str) and v]
        paras.append(Para([(names[e] + ": ", True, None, None),
                           (", ".join(where), False, None, None)], size=SMALL_PT,
                          space_after=4))
    return [title, *paginate(_("The programme and its timeline"), paras, **box)]


def _enterprise_slides(data: WorkshopData, eid: str, chart: Chart | None,
                       box: dict) -> list[SlideSpec]:
    """An enterprise's key numbers, then its chart with what it put in place."""
    name = data.names[eid]
    unit = data.enterprise(eid).get("output_unit")
    notes = "\n".join([enterprise_timeline(data, eid),
                       *(exact_figures(f, unit) for f in data.key_figures(eid))])
    paras = _message_paras(enterprise_messages(data, eid)) or [
        Para([(_("No result has values before and after the programme to show."), False,
               None, None)])]
    slides = paginate(_("{name}: achievements").format(name=name), paras, notes=notes, **box)
    if chart is not None:
        impl = implementation_text(content.implementation_at_last_visit(data.implementation,
                                                                        eid))
        slides.append(SlideSpec(
            title=_("{name}: before and after").format(name=name),
            paras=[Para([(impl, False, None, None)], size=SMALL_PT, bullet=False)],
            picture=chart, notes=chart.alt + "\n" + notes))
    return slides


def _across_slides(data: WorkshopData, chart: Chart | None, box: dict) -> list[SlideSpec]:
    """What changed across the enterprises, how much they differed, what the evidence
    supports (the exact pooled figures in the notes)."""
    spreads = data.spreads
    notes = "\n".join(pooled_figures(s) for s in spreads if s.domain != "five_s")
    slides = []
    if chart is not None:
        slides.append(SlideSpec(title=_("What changed across the enterprises"), picture=chart,
                                notes=chart.alt + "\n" + notes))
    paras = [Para([(indicator_label(s.domain, s.indicator) + ": ", True, None, None),
                   (spread_counts(s), False, None, None),
                   ("; " + spread_range(s) if spread_range(s) else "", False, None, None)])
             for s in spreads]
    if paras:
        slides += paginate(_("How much the enterprises differed"), paras, notes=notes, **box)
    paras = [Para([(indicator_label(s.domain, s.indicator) + ": ", True, None, None),
                   (pooled_text(s), False, None, None)], size=SMALL_PT)
             for s in spreads if s.domain != "five_s"]
    comparison = content.comparison_design(_programme_results(data))
    paras.append(Para([(evidence_sentence(comparison=comparison,
                                          enterprises=len(data.programme_ids)),
                        False, MUTED, None)], size=SMALL_PT, bullet=False))
    return slides + paginate(_("What the evidence supports"), paras, notes=notes, **box)


def _implementation_slides(data: WorkshopData, box: dict) -> list[SlideSpec]:
    """What each enterprise had put in place at its last visit, or that no records were
    provided."""
    recorded = [(eid, content.implementation_at_last_visit(data.implementation, eid))
                for eid in data.programme_ids]
    paras = ([Para([(data.names[eid] + ": ", True, None, None),
                    (implementation_text(i), False, None, None)], size=SMALL_PT)
              for eid, i in recorded if i is not None] or
             [Para([(_("No implementation records were provided."), False, None, None)],
                   bullet=False)])
    return paginate(_("What was put in place"), paras, **box)


def _note_slides(data: WorkshopData, box: dict) -> list[SlideSpec]:
    """Good practices, lessons learned and constraints, as the enterprises wrote them."""
    table = data.qualitative
    if table.empty:
        return []
    table = table[table["enterprise_id"].isin(data.programme_ids)]
    slides = []
    for kind in QUALITATIVE_KINDS:
        sub = table[table["kind"] == kind]
        if not sub.empty:
            slides += paginate(_(KIND_TITLES[kind]), _note_paras(sub, data.names),
                               notes=_("As written by the enterprises and the trainers."),
                               **box)
    return slides


def _closing_slides(data: WorkshopData, box: dict) -> list[SlideSpec]:
    """How to read these results: method and caveats in plain words."""
    n = len(data.programme_ids)
    caveats = [_(c) for c in CAVEATS]
    if content.comparison_design(_programme_results(data)):
        caveats.insert(1, _(COMPARISON_CAVEAT))
    caveats.append(ngettext("{n} enterprise is too few to say how much another enterprise "
                            "would gain.", "{n} enterprises are too few to say how much "
                            "another enterprise would gain.", n).format(n=n))
    if data.simulated:
        caveats.append(_(SIMULATED_CAVEAT))
    return paginate(_("How to read these results"),
                    [Para([(c, False, None, None)], size=SMALL_PT) for c in caveats],
                    notes=_("The analysis plan, the diagnostics and every estimate are in "
                            "the full reports (methods section) and in results.csv and "
                            "pooled.csv."), **box)


# --------------------------------------------------------------------------- drawing


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour)


def _language_id(lang: str | None):
    """The language of a run: ``lang`` (None: the deck's; ``""`` or unknown: none)."""
    from pptx.enum.lang import MSO_LANGUAGE_ID

    if lang == "":
        return None
    code = (lang or current_language()).split("-")[0].lower()
    return {"id": MSO_LANGUAGE_ID.INDONESIAN, "en": MSO_LANGUAGE_ID.ENGLISH_US}.get(code)


def _bullet(paragraph, on: bool, aligned: bool = False) -> None:
    from pptx.oxml.ns import qn
    from pptx.util import Emu, Inches

    ppr = paragraph._p.get_or_add_pPr()
    for old in ppr.findall(qn("a:buChar")) + ppr.findall(qn("a:buNone")):
        ppr.remove(old)
    if on:
        ppr.set("marL", str(Emu(Inches(_BULLET_IN))))
        ppr.set("indent", str(-Emu(Inches(_BULLET_IN))))
        bullet = ppr.makeelement(qn("a:buChar"), {"char": "•"})
    else:
        ppr.set("marL", str(Emu(Inches(_BULLET_IN))) if aligned else "0")
        ppr.set("indent", "0")
        bullet = ppr.makeelement(qn("a:buNone"), {})
    ppr.append(bullet)


def _fill(frame, paras: Iterable[Para]) -> None:
    from pptx.util import Pt

    frame.word_wrap = True
    first = True
    for para in paras:
        p = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        _bullet(p, para.bullet, para.aligned)
        p.space_after = Pt(para.space_after)
        for text, bold, colour, lang in para.runs:
            if not text:
                continue
            run = p.add_run()
            run.text = text
            run.font.size = Pt(para.size)
            run.font.bold = bold
            run.font.color.rgb = _rgb(colour or INK)
            language = _language_id(lang)
            if language is not None:
                run.font.language_id = language


def _banner(slide) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(MARGIN_IN), Inches(0.2),
                                 Inches(WIDTH_IN - 2 * MARGIN_IN), Inches(0.55))
    box.name = "Simulated data banner"
    box.fill.solid()
    box.fill.fore_color.rgb = _rgb(BANNER_FILL)
    box.line.color.rgb = _rgb(BANNER_LINE)
    box.line.width = Pt(2)
    box.shadow.inherit = False
    frame = box.text_frame
    frame.margin_top = frame.margin_bottom = Inches(0.04)
    _fill(frame, [Para([(_(SIMULATED_BANNER), True, BANNER_TEXT, None)], size=SMALL_PT,
                       bullet=False, space_after=0)])
    frame.paragraphs[0].alignment = PP_ALIGN.CENTER


def _title(slide, text: str, *, banner: bool) -> None:
    from pptx.util import Inches, Pt

    shape = slide.shapes.title
    shape.left, shape.top = Inches(MARGIN_IN), Inches(0.85 if banner else 0.45)
    shape.width, shape.height = Inches(WIDTH_IN - 2 * MARGIN_IN), Inches(0.9)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.text = ""
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(TITLE_PT)
    run.font.bold = True
    run.font.color.rgb = _rgb(INK)
    language = _language_id(None)
    if language is not None:
        run.font.language_id = language
    from pptx.enum.text import PP_ALIGN

    frame.paragraphs[0].alignment = PP_ALIGN.LEFT


def _picture(slide, chart: Chart, *, left: float, top: float, width: float,
             height: float) -> None:
    from pptx.util import Inches

    scale = min(width / chart.width_in, height / chart.height_in)
    w, h = chart.width_in * scale, chart.height_in * scale
    pic = slide.shapes.add_picture(io.BytesIO(chart.png), Inches(left + (width - w) / 2),
                                   Inches(top), Inches(w), Inches(h))
    pic.name = chart.name
    pic._element.nvPicPr.cNvPr.set("descr", chart.alt)


def _widen(prs) -> None:
    """Give the slide master and layouts the 16:9 width (their shapes stretched)."""
    from pptx.util import Emu, Inches

    factor = Inches(WIDTH_IN) / prs.slide_width
    prs.slide_width, prs.slide_height = Inches(WIDTH_IN), Inches(HEIGHT_IN)
    masters = [prs.slide_master, *prs.slide_layouts]
    for part in masters:
        for shape in part.shapes:
            if shape.left is not None and shape.width is not None:
                shape.left, shape.width = Emu(round(shape.left * factor)), Emu(
                    round(shape.width * factor))


def draw(slides: Sequence[SlideSpec], *, banner: bool, title: str) -> bytes:
    """The deck of ``slides`` as the bytes of a .pptx file."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    prs = Presentation()
    _widen(prs)
    prs.core_properties.title = title
    prs.core_properties.author = "score-analysis"
    prs.core_properties.last_modified_by = "score-analysis"
    prs.core_properties.language = LANGUAGE_IDS.get(current_language(), current_language())
    left, top, width, height = _body_box(banner)
    for spec in slides:
        if spec.subtitle:
            slide = prs.slides.add_slide(prs.slide_layouts[0])
            _title(slide, spec.title, banner=banner)
            slide.shapes.title.top = Inches(2.3)
            sub = slide.placeholders[1]
            sub.left, sub.top = Inches(MARGIN_IN), Inches(3.6)
            sub.width, sub.height = Inches(WIDTH_IN - 2 * MARGIN_IN), Inches(2.0)
            sub.text_frame.text = ""
            _fill(sub.text_frame, [Para([(line, False, MUTED, None)], size=24, bullet=False)
                                   for line in spec.subtitle.split("\n")])
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            _title(slide, spec.title, banner=banner)
            body_top, body_height = top, height
            if spec.picture is not None:
                below = text_height(spec.paras, width) + 0.15 if spec.paras else 0.0
                _picture(slide, spec.picture, left=left, top=top, width=width,
                         height=height - below)
                body_top = top + height - below
                body_height = below
            if spec.paras:
                box = slide.shapes.add_textbox(Inches(left), Inches(body_top), Inches(width),
                                               Inches(max(body_height, 0.5)))
                box.name = "Body"
                _fill(box.text_frame, spec.paras)
        if banner:
            _banner(slide)
        if spec.notes:
            slide.notes_slide.notes_text_frame.text = spec.notes
            for p in slide.notes_slide.notes_text_frame.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(14)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def deck_bytes(data: WorkshopData, charts: dict[str, Chart], *, lang: str) -> bytes:
    """The workshop deck in ``lang`` as the bytes of a .pptx file."""
    with use_language(lang):
        return draw(deck_slides(data, charts), banner=data.simulated,
                    title=_(PACK_TITLE) + " — " + _(PROGRAMME_KICKER))
