"""Builds the Bolt app and everything it depends on, from one `Settings`."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import NoSuchModuleError

from bot.config import ConfigError, Settings
from bot.parsing import ProspectLinkPatterns
from bot.saleshandy import SaleshandyClient
from bot.service import TaskService
from bot.slack.blocks.notices import build_notice
from bot.slack.delivery import Delivery
from bot.slack.deps import AppDeps
from bot.slack.listeners import register_listeners
from bot.slack.timezones import UserTimeZones
from bot.store import StoreUnavailableError, SubmissionStore

logger = logging.getLogger(__name__)

ZONE_LOOKUP_TIMEOUT_SECONDS = 1
"""users.info runs before a modal opens (the trigger_id lives 3 s) or a submission is acked: one second
at most, then the default zone."""

BACKGROUND_THREADS = 4
"""Slow work (Saleshandy calls, posting results) runs here, so Bolt's own threads stay free to ack. Few
on purpose: the GIL is shared, and every extra busy thread slows the acks. Measured with
bench/bench_acks.py (200 concurrent requests, 3 workers): 4 threads keep ack p99 within 1.15x of a bare
Bolt app and post every result in ~7 s; 16 threads post them in ~2.5 s but ack p99 is 1.6-1.9x."""


def build_app(settings: Settings) -> App:
    """The Bolt app with its listeners, its Slack and Saleshandy clients and its store."""
    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SALESHANDY_API_KEY")
    assert settings.slack_bot_token and settings.slack_signing_secret  # for mypy: just required
    token = settings.slack_bot_token.get_secret_value()
    client = WebClient(token=token, base_url=settings.slack_api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    try:
        app = App(
            client=client,
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            process_before_response=False,
        )
        deps = build_deps(settings, client)
    except BoltError as error:  # Bolt checks the token with auth.test before anything else
        raise ConfigError(
            f"Slack did not accept SLACK_BOT_TOKEN ({error}). Copy the Bot User OAuth Token (xoxb-…) "
            "again from api.slack.com/apps → your app → OAuth & Permissions."
        ) from error
    except StoreUnavailableError as error:
        raise ConfigError(f"{error}.") from error
    except (NoSuchModuleError, ModuleNotFoundError) as error:
        raise ConfigError(
            f"DATABASE_URL needs a database driver that is not installed ({error}). For PostgreSQL: "
            "pip install -e '.[postgres]'."
        ) from error
    app.use(_provide(deps))
    app.error(handle_error)
    register_listeners(app)
    return app


def build_deps(settings: Settings, client: WebClient) -> AppDeps:
    # No retries: a second try after a connect timeout would spend the trigger_id's 3 seconds.
    zone_client = WebClient(
        token=client.token, base_url=client.base_url, timeout=ZONE_LOOKUP_TIMEOUT_SECONDS, retry_handlers=[]
    )
    return AppDeps(
        settings=settings,
        service=TaskService(SaleshandyClient.from_settings(settings), SubmissionStore(settings.database_url)),
        zones=UserTimeZones(zone_client, default_zone=settings.default_timezone),
        delivery=Delivery(client),
        links=ProspectLinkPatterns(settings.prospect_link_patterns),
        background=ThreadPoolExecutor(BACKGROUND_THREADS, thread_name_prefix="tasks"),
    )


def _provide(deps: AppDeps) -> Any:
    def provide_deps(context: BoltContext, next: Any) -> None:
        context["deps"] = deps
        next()

    return provide_deps


def handle_error(error: Exception, body: dict[str, Any]) -> None:
    """The one place unexpected errors land: logged with an id the rep is told."""
    error_id = uuid.uuid4().hex[:12]
    logger.exception("unhandled error (error id %s)", error_id, exc_info=error)
    response_url = body.get("response_url")
    if isinstance(response_url, str):
        WebhookClient(response_url).send_dict(
            {**build_notice(f"Something went wrong on our side (error id {error_id})."),
             "response_type": "ephemeral"}
        )
