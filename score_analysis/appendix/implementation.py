"""The implementation records of one enterprise as the reviewer's appendix shows them: the
rows as recorded (validated), in the order of the visits and of the items
(docs/data_contract.md, ``implementation``)."""

from __future__ import annotations

import pandas as pd

from ..data.contract import IMPLEMENTATION_ITEMS, VISITS

#: Columns of :func:`implementation_records`.
IMPLEMENTATION_RECORD_COLUMNS = ("visit", "date", "item", "value")


def implementation_records(implementation: pd.DataFrame | None,
                           enterprise_id: str) -> pd.DataFrame:
    """The implementation rows of ``enterprise_id`` as recorded, one per visit and item.

    Parameters
    ----------
    implementation : DataFrame or None
        The validated ``implementation`` table (long: ``enterprise_id, visit, date, item,
        value``, ``value`` a number with yes = 1 and no = 0); None when the data have none.
    enterprise_id : str
        The enterprise.

    Returns
    -------
    DataFrame
        Columns :data:`IMPLEMENTATION_RECORD_COLUMNS`, sorted by visit (baseline to final
        result workshop) and item (in the order of the data contract); ``value`` is the
        whole number recorded, or ``yes``/``no`` for the yes-or-no items, missing when not
        recorded.  Empty (with these columns) without records.
    """
    columns = list(IMPLEMENTATION_RECORD_COLUMNS)
    if implementation is None or implementation.empty:
        return pd.DataFrame(columns=columns)
    missing = [c for c in ("enterprise_id", *columns) if c not in implementation.columns]
    if missing:
        raise ValueError(f"the implementation table lacks the columns {missing}")
    own = implementation[implementation["enterprise_id"] == enterprise_id]
    kinds = {i.name: i.kind for i in IMPLEMENTATION_ITEMS}
    visit_rank = {v: k for k, v in enumerate(VISITS)}
    item_rank = {name: k for k, name in enumerate(kinds)}

    def shown(item: str, value: object) -> object:
        if pd.isna(value):
            return pd.NA
        if kinds.get(item) == "boolean":
            return "yes" if float(value) == 1 else "no"
        return int(round(float(value)))

    out = pd.DataFrame({
        "visit": own["visit"].astype(str), "date": own["date"], "item": own["item"].astype(str),
        "value": [shown(i, v) for i, v in zip(own["item"], own["value"], strict=True)],
    })
    order = out.assign(_v=out["visit"].map(visit_rank).fillna(len(VISITS)),
                       _i=out["item"].map(item_rank).fillna(len(item_rank)))
    return (order.sort_values(["_v", "_i"], kind="stable")[columns]
            .astype({"value": object}).reset_index(drop=True))
