"""A Dask client for the commands that fan work out: a running scheduler, or an embedded local cluster.

Imports ``dask.distributed`` only when called, so importing this costs nothing.
"""

from __future__ import annotations

from negotiate.errors import NegotiateError


def dask_client(scheduler: str | None, jobs: int, timeout: str = "20s"):
    """Connect to ``scheduler`` (``tcp://host:8786``), or start a local cluster of ``jobs`` processes.

    Returns ``(client, cluster)``; ``cluster`` is None for a running scheduler, else the caller
    closes it after the client. Each worker runs one thread (the tasks are NumPy or PyMC work that
    holds the GIL or starts its own threads), and the local cluster has no dashboard.
    """
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout=timeout), None
        except (OSError, TimeoutError) as exc:
            raise NegotiateError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); is it running?") from None
    cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster
