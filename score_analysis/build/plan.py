"""The first stage of a run: what to build (:class:`RunPlan`), from the content keys of
every page and the previous run's manifest.

Incremental: every page has a content key (its slice of the cleaned data, the notebook,
the package code and version, the settings and languages); a page whose key is unchanged
and whose file exists is not rebuilt.  The synthesis key holds every report key, so any
enterprise that changed rebuilds the synthesis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import appendices, keys
from .enterprises import comparison_of
from .options import ENTERPRISE_NOTEBOOK, SYNTHESIS_NOTEBOOK, Options, language_path, report_path


@dataclass(frozen=True)
class RunPlan:
    """What a run builds, and the keys it builds them under.

    Attributes
    ----------
    code
        The code fingerprint (:func:`~.keys.code_fingerprint`).
    slices
        Every enterprise's data slice hash (:func:`~.keys.enterprise_slices`).
    report_keys
        Every known enterprise's report key.
    selected
        The enterprises whose pages may be built (``--enterprise``, else all).
    to_build
        The enterprise reports to build, sorted.
    unbuilt
        Enterprises whose page will not exist after this run (not selected, never built):
        the synthesis names them instead of linking them.
    synthesis_key, synthesis_needed
        The synthesis page's key, and whether it is built.
    appendix_keys, appendix_todo
        The key of every appendix page (empty without appendices), and those to build.
    pools, comparison_ids
        The comparison pool of every programme enterprise (docs/analysis_plan.md §3.10),
        and the enterprises with ``role = comparison``: no page of their own, their
        slices are part of the keys of the pages whose pool holds them.
    """

    code: str
    slices: dict[str, str]
    report_keys: dict[str, str]
    selected: frozenset[str]
    to_build: tuple[str, ...]
    unbuilt: tuple[str, ...]
    synthesis_key: str
    synthesis_needed: bool
    appendix_keys: dict[str, str]
    appendix_todo: tuple[str, ...]
    pools: dict[str, tuple[str, ...]] = field(default_factory=dict)
    comparison_ids: tuple[str, ...] = ()

    @property
    def notebook_count(self) -> int:
        """How many notebooks the run may execute (for the size of the worker pool)."""
        return len(self.to_build) + self.synthesis_needed + len(self.appendix_todo)


def plan_run(options: Options, tables: dict, previous: dict | None) -> RunPlan:
    """What to build: every page whose key changed since ``previous`` (the last manifest),
    whose page is missing or which failed; everything with ``options.force``.

    ``options`` must be :meth:`~.options.Options.resolved`.
    """
    group = comparison_of(tables)
    known = set(group.programme)  # comparison enterprises have no page of their own
    code = keys.code_fingerprint()
    slices = keys.enterprise_slices(tables)
    nb_hash = keys.notebook_hashes(options)
    parameters = options.key_parameters()
    report_keys = {eid: keys.report_key(
        keys.with_comparison(slices[eid], [slices[c] for c in group.pool(eid)]), eid,
        notebook=nb_hash[ENTERPRISE_NOTEBOOK], code=code, parameters=parameters)
        for eid in sorted(known)}
    main_lang = options.languages[0]
    old_reports = (previous or {}).get("reports", {})
    reports = options.reports_dir
    selected = frozenset(options.enterprises or known)
    to_build = tuple(eid for eid in sorted(selected)
                     if options.force or not keys.is_fresh(
                         old_reports.get(eid, {}), report_keys[eid],
                         reports / language_path(report_path(eid), main_lang)))
    unbuilt = tuple(sorted(eid for eid in known - selected if not old_reports.get(eid)))
    syn_key = keys.sha(sorted(report_keys.values()), nb_hash[SYNTHESIS_NOTEBOOK], code,
                       list(unbuilt), parameters)
    old_syn = (previous or {}).get("synthesis") or {}
    synthesis_needed = bool(nb_hash[SYNTHESIS_NOTEBOOK]) and (
        options.force or not keys.is_fresh(old_syn, syn_key,
                                           reports / language_path("synthesis.html",
                                                                   main_lang)))
    appendix_keys = appendices.appendix_keys(options, report_keys, syn_key)
    appendix_todo = tuple(appendices.to_build(appendix_keys, previous, reports,
                                              force=options.force, selected=set(selected)))
    return RunPlan(code=code, slices=slices, report_keys=report_keys, selected=selected,
                   to_build=to_build, unbuilt=unbuilt, synthesis_key=syn_key,
                   synthesis_needed=synthesis_needed, appendix_keys=appendix_keys,
                   appendix_todo=appendix_todo,
                   pools={eid: group.pool(eid) for eid in sorted(known)},
                   comparison_ids=tuple(group.comparison_only))
