"""The contract in words: the names of codes in Bahasa Indonesia, other ways people
write them, and each column's rules as the codebook and the docs state them."""

from __future__ import annotations

from ...i18n import N_
from ...i18n import gettext as _
from .declarations import Column, Item, Table
from .tables import FIRST_MONTH

#: The Indonesian name of each code of a list: the template's Indonesian drop-downs offer
#: ``code (name)``, which validation reads as the code.
CODE_NAMES_ID: dict[str, str] = {
    "programme": "program", "comparison": "pembanding",
    "enterprise_records": "catatan perusahaan", "simulated": "simulasi",
    "sort": "ringkas", "set_in_order": "rapi", "shine": "resik", "standardize": "rawat",
    "sustain": "rajin", "baseline": "awal", "followup": "lanjutan",
    "visit_1": "kunjungan 1", "visit_2": "kunjungan 2", "visit_3": "kunjungan 3",
    "final_workshop": "lokakarya hasil akhir",
    "good_practice": "praktik baik", "lesson_learned": "pelajaran yang dipetik",
    "constraint": "kendala",
    "eit_members": "anggota EIT", "eit_worker_members": "anggota EIT dari pekerja",
    "eit_meetings": "rapat EIT", "actions_planned": "tindakan direncanakan",
    "actions_done": "tindakan selesai", "suggestion_scheme": "sistem saran",
    "communication_board": "papan komunikasi", "bipartite_meetings": "rapat LKS Bipartit",
    "trainer_rating": "penilaian pelatih",
}

#: Other ways people write a code of a list, in either language (for "did you mean").
ALIASES: dict[str, str] = {
    **{name: code for code, name in CODE_NAMES_ID.items()},
    "seiri": "sort", "seiton": "set_in_order", "seiso": "shine", "seiketsu": "standardize",
    "shitsuke": "sustain", "set in order": "set_in_order", "standardise": "standardize",
    "base line": "baseline", "pre": "baseline", "follow-up": "followup",
    "follow up": "followup", "endline": "followup", "program": "programme",
    "treatment": "programme", "intervention": "programme", "control": "comparison",
    "kontrol": "comparison", "visit 1": "visit_1", "visit 2": "visit_2", "visit 3": "visit_3",
    "final workshop": "final_workshop", "lokakarya akhir": "final_workshop",
    "good practice": "good_practice", "lesson learned": "lesson_learned",
    "lessons learned": "lesson_learned", "pelajaran": "lesson_learned",
    "records": "enterprise_records", "real": "enterprise_records",
}


def drop_down_entry(code: str, language: str) -> str:
    """A list code as the template's drop-down offers it in ``language``."""
    name = CODE_NAMES_ID.get(code)
    return f"{code} ({name})" if language == "id" and name else code


#: How each column kind is named for people (translated where shown).
KIND_WORDS: dict[str, str] = {
    "text": N_("text"),
    "integer": N_("whole number"),
    "number": N_("number"),
    "month": N_("month YYYY-MM"),
    "date": N_("date YYYY-MM-DD or DD/MM/YYYY"),
    "boolean": N_("true or false"),
    "choice": N_("one of a list"),
    "item": N_("by item"),
    "yes_no": N_("yes or no"),
}


def kind_label(kind: str) -> str:
    """A column kind in words, in the current language."""
    return _(KIND_WORDS[kind])


def rule_text(table: Table, column: Column) -> str:
    """Every rule a column must meet, in words, in the current language (for the codebook
    sheet and the docs)."""
    parts = [_("required column") if column.required else _("optional column"),
             _("blank allowed") if column.nullable else _("a value in every row")]
    for rule in table.filled_for:
        if rule.column == column.name:
            parts[1] = _("a value where {by} is {filled}, blank where it is {blank}").format(
                by=rule.by, filled=" / ".join(rule.filled), blank=" / ".join(rule.blank))
    if column.default is not None:
        parts.append(_("blank means {value}").format(value=column.default))
    if column.kind == "item":
        parts.append(_("as its item says (see the items)"))
    if column.kind == "choice":
        parts.append(_("one of {choices}").format(choices=", ".join(column.choices)))
    if column.kind == "boolean":
        parts.append(_("true/false (1/0, yes/no, ya/tidak accepted)"))
    if column.kind == "month":
        parts.append(_("from {first}, not in the future").format(first=FIRST_MONTH))
    if column.kind == "date":
        parts.append(_("from {first}, not in the future").format(first=FIRST_MONTH + "-01"))
    if column.pattern:
        parts.append(_("matches {pattern}").format(pattern=column.pattern))
    if column.minimum is not None:
        parts.append(f"≥ {column.minimum:g}")
    if column.maximum is not None:
        parts.append(f"≤ {column.maximum:g}")
    if column.at_most:
        parts.append(f"≤ {column.at_most}")
    if column.max_length:
        parts.append(_("at most {n} characters").format(n=column.max_length))
    if column.name in table.key:
        parts.append(_("unique") if len(table.key) == 1
                     else _("({columns}) unique together").format(columns=", ".join(table.key)))
    if column.name == "enterprise_id" and table.name != "enterprises":
        parts.append(_("listed in enterprises"))
    return "; ".join(parts)


def item_rule_text(item: Item) -> str:
    """The rule of one item's value, in words, in the current language."""
    if item.kind == "boolean":
        parts = [_("yes or no (ya/tidak, true/false, 1/0 accepted)")]
    else:
        parts = [_("whole number")]
    if item.minimum is not None:
        parts.append(f"≥ {item.minimum:g}")
    if item.maximum is not None:
        parts.append(f"≤ {item.maximum:g}")
    if item.at_most:
        parts.append(_("≤ {item} of the same enterprise and visit").format(item=item.at_most))
    return "; ".join(parts)
