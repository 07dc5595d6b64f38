"""What an operator watches, in Prometheus' text format (`GET /metrics`).

Counters count in this process (under gunicorn, set PROMETHEUS_MULTIPROC_DIR to an empty folder and
prometheus-client adds the workers up); what is in the database (submissions by state, those resumed
after an interruption) is read from it at each scrape, so every worker answers the same.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """The app's counters, in a registry of their own (one per app: tests build many)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.saleshandy_requests = Counter(
            "saleshandy_requests",
            "Saleshandy API requests answered, by HTTP status ('none': no answer came)",
            ["status"],
            registry=self.registry,
        )
        self.rate_limit_waits = Counter(
            "saleshandy_rate_limit_waits", "Waits for the key's rate-limit window", registry=self.registry
        )
        self.rate_limit_wait_seconds = Counter(
            "saleshandy_rate_limit_wait_seconds",
            "Seconds spent waiting for the window",
            registry=self.registry,
        )
        self.prospects = Counter(
            "prospects_reported",
            "Prospects reported, by outcome (created, failed, unknown)",
            ["outcome"],
            registry=self.registry,
        )
        self.submissions_resumed = Counter(
            "submissions_resumed",
            "Submissions this process took over from a stopped one",
            registry=self.registry,
        )

        self.submissions_left_for_operator = Counter(
            "submissions_left_for_operator",
            "Submissions whose runs failed too often: no process takes them over until an operator looks",
            registry=self.registry,
        )

    def saleshandy_answered(self, status: int | None) -> None:
        self.saleshandy_requests.labels(status="none" if status is None else str(status)).inc()

    def waited_for_rate_limit(self, seconds: float) -> None:
        self.rate_limit_waits.inc()
        self.rate_limit_wait_seconds.inc(seconds)

    def render(self, database_counts: Callable[[], Mapping[str, int]]) -> bytes:
        """The text a scrape gets: the counters (all workers' when multiprocess) and the database's."""
        registry = CollectorRegistry()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            text = generate_latest(registry)
        else:
            text = generate_latest(self.registry)
        return text + generate_latest(_database_registry(database_counts))


def _database_registry(counts: Callable[[], Mapping[str, int]]) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(_DatabaseCollector(counts))
    return registry


class _DatabaseCollector(Collector):
    def __init__(self, counts: Callable[[], Mapping[str, int]]) -> None:
        self._counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = dict(self._counts())
        resumed = counts.pop("resumed", 0)
        by_state = GaugeMetricFamily("submissions", "Submissions in the database, by state", labels=["state"])
        for state in ("lookup", "sending", "reporting", "done"):
            by_state.add_metric([state], counts.get(state, 0))
        yield by_state
        yield GaugeMetricFamily(
            "submissions_ever_resumed", "Submissions that were interrupted and resumed", value=resumed
        )
