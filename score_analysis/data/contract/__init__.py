"""The input data contract (docs/data_contract.md): tables, columns, types and rules.

Declarative: it says *what* the data must look like, in one place, so that
validation, the Excel template, the codebook sheet and the documentation all read
the same definition.  Validation checks exactly what the declarations say
(patterns, bounds, "at most" relations, ordered and bounded column pairs, columns
filled for one role and blank for another, values read by item or by a codebook)
without naming tables; every problem it can find has a language-neutral
:class:`RuleCode`, whose words live in :mod:`score_analysis.data.messages`.
Imports nothing heavy.

- :mod:`.codes` — :class:`RuleCode`, every rule as a code;
- :mod:`.declarations` — what a table, a column, an item and a rule between columns are;
- :mod:`.tables` — the tables of the contract (:data:`TABLES`) and their constants;
- :mod:`.words` — codes' names in Bahasa Indonesia, aliases, each column's rules in words.
"""

from __future__ import annotations

from .codes import RuleCode
from .declarations import (
    Answers,
    ByItem,
    Column,
    FilledFor,
    Item,
    Ordered,
    Series,
    Table,
    Within,
)
from .tables import (
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    COMPARISON,
    DATA_SOURCES,
    ENTERPRISE_ID_PATTERN,
    ENTERPRISES,
    FIRST_MONTH,
    FIVE_S_AUDITS,
    IMPLEMENTATION,
    IMPLEMENTATION_ITEMS,
    KPI_MONTHLY,
    MILESTONES,
    MIN_CELL,
    MONTH_GAP,
    PILLARS,
    PROGRAMME,
    QUALITATIVE,
    QUALITATIVE_KINDS,
    ROLES,
    SURVEY_ITEMS,
    TABLES,
    VISITS,
    WAVES,
    WORKER_SURVEY,
)
from .words import (
    ALIASES,
    CODE_NAMES_ID,
    KIND_WORDS,
    drop_down_entry,
    item_rule_text,
    kind_label,
    rule_text,
)

__all__ = [
    "ALIASES", "BOOLEAN_FALSE", "BOOLEAN_TRUE", "CODE_NAMES_ID", "COMPARISON", "DATA_SOURCES",
    "ENTERPRISES", "ENTERPRISE_ID_PATTERN", "FIRST_MONTH", "FIVE_S_AUDITS", "IMPLEMENTATION",
    "IMPLEMENTATION_ITEMS", "KIND_WORDS", "KPI_MONTHLY", "MILESTONES", "MIN_CELL", "MONTH_GAP",
    "PILLARS", "PROGRAMME", "QUALITATIVE", "QUALITATIVE_KINDS", "ROLES", "SURVEY_ITEMS",
    "TABLES", "VISITS", "WAVES", "WORKER_SURVEY", "Answers", "ByItem", "Column", "FilledFor",
    "Item", "Ordered", "RuleCode", "Series", "Table", "Within", "drop_down_entry",
    "item_rule_text", "kind_label", "rule_text",
]
