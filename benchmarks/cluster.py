"""A Dask scheduler and workers on 127.0.0.1, started as separate processes.

The same commands as on real machines (``dask scheduler``, ``dask worker``), from
this environment, on free ports; used by ``make bench`` and by
``tests/test_distributed.py``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DASK = Path(sys.executable).parent / "dask"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    """A running scheduler (``address``) and its worker processes."""

    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)

    def worker_pids(self) -> dict[str, int]:
        """Worker address → process id, as the scheduler knows them."""
        from distributed import Client

        with Client(self.address, timeout=10, set_as_default=False) as client:
            return client.run(os.getpid)


@contextlib.contextmanager
def local_cluster(workers: int = 2, *, nthreads: int = 1, timeout: float = 120
                  ) -> Iterator[Cluster]:
    """``dask scheduler`` and ``workers`` × ``dask worker --nthreads N`` on 127.0.0.1.

    The workers run without a nanny, so that a worker killed with SIGKILL stays
    dead (its tasks then go to the others).  Everything is stopped on exit.
    """
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scratch = tempfile.mkdtemp(prefix="score-analysis-cluster-")
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env,
             "cwd": scratch, "start_new_session": True}
    procs: list[subprocess.Popen] = []
    try:
        scheduler = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port",
                                      str(port), "--no-dashboard"], **quiet)
        procs.append(scheduler)
        cluster = Cluster(address=address, scheduler=scheduler)
        for _ in range(workers):
            proc = subprocess.Popen([str(DASK), "worker", address, "--nthreads", str(nthreads),
                                     "--no-nanny", "--host", "127.0.0.1", "--no-dashboard",
                                     "--local-directory", scratch], **quiet)
            procs.append(proc)
            cluster.workers.append(proc)
        _wait_for_workers(address, workers, timeout)
        yield cluster
    finally:
        for proc in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _wait_for_workers(address: str, n: int, timeout: float) -> None:
    from distributed import Client

    deadline = time.monotonic() + timeout
    while True:
        try:
            with Client(address, timeout=5, set_as_default=False) as client:
                client.wait_for_workers(n, timeout=max(1.0, deadline - time.monotonic()))
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
