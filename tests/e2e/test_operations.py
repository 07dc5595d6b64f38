"""What an operator's platform asks the app over HTTP: liveness, readiness, metrics."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.both_databases


def test_liveness_readiness_and_metrics_after_a_command(running_app: RunningApp) -> None:
    url = running_app.url
    assert httpx.get(f"{url}/healthz").text == "ok"
    assert httpx.get(f"{url}/readyz").text == "ready"
    running_app.driver.slash_command("demo 8PvBmrB7P7 Pr9xQ2Lm7k")
    running_app.drain()
    metrics = httpx.get(f"{url}/metrics").text
    assert 'submissions{state="done"} 1.0' in metrics
    assert 'prospects_reported_total{outcome="created"} 2.0' in metrics
    assert 'saleshandy_requests_total{status="201"} 1.0' in metrics
    assert "submissions_ever_resumed 0.0" in metrics


@pytest.mark.parametrize("database_kind", ["postgresql"])
def test_readiness_is_503_while_the_database_refuses_connections_and_200_once_it_is_back(
    running_app: RunningApp, database_kind: str
) -> None:
    url = running_app.url
    name = make_url(running_app.settings.database_url).database
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
        down = httpx.get(f"{url}/readyz")
        assert (down.status_code, down.text) == (503, "database unreachable")
        assert httpx.get(f"{url}/healthz").status_code == 200  # alive all the same: no restart wanted
        assert httpx.get(f"{url}/metrics").status_code == 200
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    assert httpx.get(f"{url}/readyz").status_code == 200
