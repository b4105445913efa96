"""The data room: what the input must look like and how it is read and checked.

- :mod:`.contract` — the input tables, their columns and rules (declarative), and the
  language-neutral code of every rule (:class:`~.contract.RuleCode`);
- :mod:`.readers` — CSV files and Excel workbooks read as text, with their rows and (for a
  workbook) the kind of each cell;
- :mod:`.validation` — every rule checked, all problems at once, typed tables out;
- :mod:`.findings` — one finding per problem (place, value, rule code, the values of its
  message), shown one line per cause;
- :mod:`.messages` — the words of each rule and message, rendered from the code in the
  reader's language;
- :mod:`.template` — the blank Excel workbook with drop-downs and a codebook;
- :mod:`.demo` — the seeded generator of the simulated demonstration data;
- :mod:`.eid` — the Lebaran (Idul Fitri) calendar.

May import :mod:`score_analysis.i18n`, :mod:`score_analysis.files` and
:mod:`score_analysis.settings`; nothing from the other rooms.
"""
