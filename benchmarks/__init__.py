"""Benchmarks of score-analysis against the notebook floor (``make bench``).

:mod:`benchmarks.run` measures, in one run on one machine, the floor that the
papermill approach sets (:mod:`benchmarks.floor`), a full run, a no-op rerun, a
run on 50 simulated enterprises and the library alone on 500
(:mod:`benchmarks.library`), and prints them against the targets of issue #6.
"""
