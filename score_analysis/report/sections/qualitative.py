"""Good practices, lessons learned and constraints, as the enterprise wrote them."""

from __future__ import annotations

import pandas as pd

from ...data.contract import QUALITATIVE_KINDS
from ...i18n import gettext as _
from ..loading import EnterpriseData
from ..rendering import Html, in_each_language, render
from ..wording import (
    KIND_TITLES,
    LANGUAGE_NAMES,
)

_LANG_CODE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"


def note_groups(frame: pd.DataFrame, names: dict[str, str] | None = None) -> list[dict]:
    """Qualitative notes by kind: each note as written, with its language."""
    import re

    groups = []
    for kind in QUALITATIVE_KINDS:
        sub = frame[frame["kind"] == kind]
        if sub.empty:
            continue
        items = []
        for r in sub.itertuples(index=False):
            code = getattr(r, "language", None)
            lang = tag = ""
            if isinstance(code, str) and re.fullmatch(_LANG_CODE, code.strip()):
                lang = code.strip()
                from ...i18n import current_language

                if lang.split("-")[0].lower() != current_language():
                    tag = LANGUAGE_NAMES.get(lang.lower(), lang)
            items.append({"text": r.text, "lang": lang, "tag": tag,
                          "who": names.get(r.enterprise_id, r.enterprise_id)
                          if names is not None else ""})
        groups.append({"title": _(KIND_TITLES[kind]), "items": items})
    return groups


@in_each_language
def qualitative_section(data: EnterpriseData) -> Html:
    """Section 6: good practices, lessons learned and constraints, as the enterprise wrote them."""
    groups = note_groups(data.qualitative) if not data.qualitative.empty else []
    return render("sections/qualitative.html", groups=groups, synthesis=False)
