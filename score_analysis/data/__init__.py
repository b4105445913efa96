"""The data room: what the input must look like and how it is read and checked.

- :mod:`.contract` — the input tables, their columns and rules (declarative);
- :mod:`.readers` — CSV files and Excel workbooks read as text, with their rows;
- :mod:`.validation` — every rule checked, all problems at once, typed tables out;
- :mod:`.findings` — one finding per problem (place, value, rule, message);
- :mod:`.template` — the blank Excel workbook with drop-downs and a codebook;
- :mod:`.demo` — the seeded generator of the simulated demonstration data;
- :mod:`.eid` — the Lebaran (Idul Fitri) calendar.

May import :mod:`score_analysis.i18n`, :mod:`score_analysis.files` and
:mod:`score_analysis.settings`; nothing from the other rooms.
"""
