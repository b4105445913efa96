"""The library alone: validation, indicators and every §6 statistic, no notebooks.

Run as ``python -m benchmarks.library DATA_DIR [--jobs N]``; prints one JSON
object: the number of enterprises, the seconds spent (imports included, from
the first call to the last result), the CPU seconds of this process and its
workers, and the memory: the peak of the proportional set size (PSS) summed
over this process and its workers, sampled every 0.1 s (shared library pages
counted once), and each process's peak resident set (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

import psutil


class MemorySampler(threading.Thread):
    """Samples the summed PSS of this process and its descendants until stopped."""

    def __init__(self, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_mb = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self._stop_event.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            self.peak_mb = max(self.peak_mb, total / 2**20)
            self._stop_event.wait(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_mb


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def library_run(data_dir: Path, jobs: int) -> dict:
    """Validate ``data_dir`` and analyse every enterprise with ``jobs`` processes."""
    from score_analysis import build

    sampler = MemorySampler()
    sampler.start()
    start, cpu = time.perf_counter(), _cpu_s()
    validated = build.validate_inputs(data_dir)
    if not validated.ok:
        raise SystemExit(f"{data_dir}: {len(validated.errors)} validation error(s), first: "
                         f"{validated.errors[0].line()}")
    validated_s = time.perf_counter() - start
    slices = build.enterprise_slices(validated.tables)
    with build.worker_pool(jobs, notebooks=False) as pool:
        analysed = build.analyse(validated.tables, slices=slices, pool=pool, workers=jobs)
    total_s, cpu_s = time.perf_counter() - start, _cpu_s() - cpu
    peak_mb = sampler.stop()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "enterprises": len(validated.tables["enterprises"]),
        "programme": len(analysed.pools),
        "comparison": len(analysed.comparison_ids),
        "failed": len(analysed.failed),
        "result_rows": len(analysed.results),
        "workers": jobs if pool is not None else 1,
        "validate_s": validated_s,
        "total_s": total_s,
        "cpu_s": cpu_s,
        "peak_pss_mb": peak_mb,
        "rss_main_mb": own,
        "rss_worker_mb": worker if pool is not None else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.library",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    print(json.dumps(library_run(args.data_dir, max(1, args.jobs))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
