"""Builds the Bolt app and everything it depends on, from one `Settings`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import SecretStr
from slack_bolt import App, BoltContext
from slack_bolt.error import BoltError
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from slack_sdk.webhook import WebhookClient
from sqlalchemy.engine import Engine
from sqlalchemy.exc import NoSuchModuleError

from bot.config import ConfigError, Settings
from bot.metrics import Metrics
from bot.parsing import ProspectLinkPatterns
from bot.saleshandy import SaleshandyClient
from bot.service import Accounts, BackgroundRunner, TaskService, new_error_id
from bot.slack.blocks.notices import build_notice
from bot.slack.delivery import Delivery
from bot.slack.deps import AppDeps
from bot.slack.listeners import register_listeners
from bot.slack.reporter import SlackReporter
from bot.slack.retries import slack_retry_handlers
from bot.slack.timezones import UserTimeZones
from bot.store import (
    GENERATE_A_KEY,
    EncryptionNotConfiguredError,
    HandledDeliveries,
    KeptDrafts,
    KeptProspects,
    RepDefaultsStore,
    RepZones,
    SaleshandyKeys,
    SecretBox,
    SharedWindow,
    StoreUnavailableError,
    SubmissionStore,
    open_database,
)

logger = logging.getLogger(__name__)

APP_NAME = "saleshandy-tasks"
"""The Bolt app's name (its middleware's log lines carry it)."""
ZONE_LOOKUP_TIMEOUT_SECONDS = 1
"""users.info runs before a modal opens (the trigger_id lives 3 s) or a submission is acked: one second
at most, then the default zone."""


@dataclass(frozen=True)
class SlackApp:
    """The Bolt app and what it runs on; `close()` stops its background work (a worker's exit)."""

    bolt: App
    deps: AppDeps
    engine: Engine

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait for all background work queued so far (tests, and the demo, wait on this)."""
        return self.deps.runner.drain(timeout)

    def stop(self) -> None:
        """Begin a graceful stop (SIGTERM): no new chunk is started; work in flight reaches a safe point."""
        self.deps.runner.stop()

    def close(self, timeout: float = 5.0) -> None:
        """Stop, wait up to `timeout` for work in flight, give up the leases of what is unfinished (any
        other process takes it over at once), and close the database."""
        self.deps.runner.close(timeout)
        self.deps.service.release_all()
        self.deps.accounts.close()
        self.engine.dispose()


def build_app(settings: Settings) -> SlackApp:
    """The Bolt app with its listeners, its Slack and Saleshandy clients, its store and its runner;
    abandoned work in the database is resumed from now on. One workspace with SLACK_BOT_TOKEN (the
    default), or many with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth install)."""
    oauth = settings.oauth_install
    if oauth:
        # Many workspaces: no SALESHANDY_API_KEY for all of them; reps (or admins) connect their own.
        settings.require("SLACK_SIGNING_SECRET", "ENCRYPTION_KEYS")
    else:
        # Tasks need a key: the workspace's, or each rep's own (kept encrypted, so ENCRYPTION_KEYS).
        settings.require(
            "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", one_of=(("SALESHANDY_API_KEY", "ENCRYPTION_KEYS"),)
        )
    try:
        box = SecretBox.from_setting(settings.encryption_keys)
    except EncryptionNotConfiguredError as error:
        raise ConfigError(f"{error}. Make a key with: {GENERATE_A_KEY}") from error
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token and not oauth else None
    client = WebClient(
        token=token, base_url=settings.slack_api_url, retry_handlers=_retry_handlers_of(settings)()
    )
    runner = BackgroundRunner()
    try:
        engine, installations, app = _store_and_bolt(settings, client, runner, oauth=oauth)
    except BaseException:  # a start-up that fails leaves no background thread behind
        runner.close(0)
        raise
    orgs = GridTeams()
    deps = build_deps(settings, client, engine, runner, box=box, installations=installations, orgs=orgs)
    app.use(_provide(deps))
    if installations is not None:
        app.use(orgs.remember)
    app.error(handle_error)
    register_listeners(app)
    deps.service.start_background_duties()
    return SlackApp(app, deps, engine)


def _store_and_bolt(
    settings: Settings, client: WebClient, runner: BackgroundRunner, *, oauth: bool
) -> tuple[Engine, SQLAlchemyInstallationStore | None, App]:
    """The database, opened and migrated, and Bolt's app, which checks the token with auth.test first;
    a failure of either is a ConfigError that says what to fix."""
    assert settings.slack_signing_secret  # for mypy: build_app required it
    installations: SQLAlchemyInstallationStore | None = None
    try:
        engine = open_database(settings.database_url)
        oauth_settings = None
        if oauth:
            installations, oauth_settings = _oauth_settings(settings, engine)
        app = App(
            # Named, or Bolt names the app after its caller's file through inspect.stack(), which reads
            # the source of every frame on the stack: ~0.1 s per app under a test runner's deep stack.
            name=APP_NAME,
            client=client,
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            process_before_response=False,
            listener_executor=runner.listeners,
            oauth_settings=oauth_settings,
            # Given here (not only in oauth_settings), Bolt's authorize refreshes rotating tokens with
            # `client` (SLACK_API_URL); from oauth_settings alone it would make its own client for slack.com.
            installation_store=installations,
        )
    except BoltError as error:  # Bolt checks the token with auth.test before anything else
        engine.dispose()
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
    return engine, installations, app


INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
OAUTH_STATE_SECONDS = 600
"""How long an install link stays good (Slack's own default)."""
TOKEN_ROTATION_MINUTES = 120
"""With token rotation on (the app's `token_rotation_enabled`), a bot token expiring within this many
minutes is refreshed before it is used (Bolt's default): by Bolt for requests, by TeamClients for
background work. Tokens Slack issues last 12 hours."""


def _oauth_settings(
    settings: Settings, engine: Engine
) -> tuple[SQLAlchemyInstallationStore, OAuthSettings]:
    """slack_sdk's SQLAlchemy installation and state stores on the app's database (tables made by the
    migrations), and Bolt's install and redirect paths."""
    assert settings.slack_client_id and settings.slack_client_secret  # oauth_install says so
    installations = SQLAlchemyInstallationStore(
        settings.slack_client_id,
        engine,
        bots_table_name="slack_bots",
        installations_table_name="slack_installations",
    )
    states = SQLAlchemyOAuthStateStore(
        expiration_seconds=OAUTH_STATE_SECONDS, engine=engine, table_name="slack_oauth_states"
    )
    return installations, OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=[scope.strip() for scope in settings.slack_scopes.split(",") if scope.strip()],
        installation_store=installations,
        state_store=states,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        token_rotation_expiration_minutes=TOKEN_ROTATION_MINUTES,
    )


class NotInstalledError(Exception):
    """Work for a workspace that has uninstalled the app: nothing can be posted there."""


class GridTeams:
    """Many workspaces: the Enterprise Grid org of each team this process has had requests from, and
    whether the app is installed org-wide there (for work that only names the team: users.info)."""

    def __init__(self) -> None:
        self._orgs: dict[str, tuple[str, bool]] = {}

    def remember(self, context: BoltContext, next: Any) -> None:
        """A Bolt middleware (after authorize): each request says its team's org. With the app installed
        org-wide, the org is the team everything is kept under (keys, drafts, defaults, submissions): its
        member ids are the org's, its installation has no team, and Slack names the org as the team of
        some payloads (a view's app_installed_team_id)."""
        if context.enterprise_id and context.is_enterprise_install:
            context["team_id"] = context.enterprise_id
        if context.team_id and context.enterprise_id:
            self._orgs[context.team_id] = (context.enterprise_id, bool(context.is_enterprise_install))
        next()

    def org_of(self, team_id: str) -> tuple[str | None, bool]:
        return self._orgs.get(team_id, (None, False))


class TeamClients:
    """Many workspaces: a WebClient per team, with the bot token its installation holds (for work done
    outside a request: posting results, resuming, users.info). The installation is the workspace's own,
    or its Enterprise Grid org's org-wide one; a rotating token about to expire is refreshed first (and
    saved, for requests and other processes too)."""

    def __init__(
        self,
        installations: SQLAlchemyInstallationStore,
        base: WebClient,
        *,
        orgs: GridTeams,
        rotator: TokenRotator | None = None,
        zone: bool = False,
        retry_handlers: Callable[[], list[RetryHandler]] = slack_retry_handlers,
    ) -> None:
        self._installations = installations
        self._base = base
        self._orgs = orgs
        self._rotator = rotator
        self._zone = zone
        self._retry_handlers = retry_handlers

    def __call__(
        self, team_id: str, enterprise_id: str | None = None, is_enterprise_install: bool = False
    ) -> WebClient:
        if enterprise_id is None:  # said by a request of this team (users.info, before a modal opens)
            enterprise_id, is_enterprise_install = self._orgs.org_of(team_id)
        token = self.bot_token(team_id, enterprise_id, is_enterprise_install)
        if self._zone:  # no retries: a second try would spend the trigger_id's 3 seconds
            return WebClient(
                token=token, base_url=self._base.base_url, timeout=ZONE_LOOKUP_TIMEOUT_SECONDS,
                retry_handlers=[],
            )
        return WebClient(token=token, base_url=self._base.base_url, retry_handlers=self._retry_handlers())

    def bot_token(self, team_id: str, enterprise_id: str | None, is_enterprise_install: bool) -> str:
        # An org-wide install has no team; a workspace of a Grid org may also have its own install.
        for org_wide in (is_enterprise_install, not is_enterprise_install) if enterprise_id else (False,):
            installation = self._installations.find_installation(
                enterprise_id=enterprise_id,
                team_id=None if org_wide else team_id,
                is_enterprise_install=org_wide,
            )
            if installation is not None and installation.bot_token:
                return self._fresh(installation).bot_token or ""
        raise NotInstalledError(f"the app is not installed in workspace {team_id}")

    def _fresh(self, installation: Installation) -> Installation:
        if self._rotator is None or installation.bot_refresh_token is None:
            return installation
        refreshed = self._rotator.perform_token_rotation(
            installation=installation, minutes_before_expiration=TOKEN_ROTATION_MINUTES
        )
        if refreshed is None:
            return installation
        self._installations.save(refreshed)
        return refreshed


def build_deps(
    settings: Settings,
    client: WebClient,
    engine: Engine,
    runner: BackgroundRunner,
    *,
    box: SecretBox | None = None,
    installations: SQLAlchemyInstallationStore | None = None,
    orgs: GridTeams | None = None,
) -> AppDeps:
    # No retries: a second try after a connect timeout would spend the trigger_id's 3 seconds.
    zone_client = WebClient(
        token=client.token, base_url=client.base_url, timeout=ZONE_LOOKUP_TIMEOUT_SECONDS, retry_handlers=[]
    )
    metrics = Metrics()
    orgs = orgs or GridTeams()
    rotator = (
        TokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            client=WebClient(base_url=client.base_url),
        )
        if installations is not None and settings.slack_client_id and settings.slack_client_secret
        else None
    )

    def team_clients(*, zone: bool) -> TeamClients | None:
        if installations is None:
            return None
        return TeamClients(
            installations, client, orgs=orgs, rotator=rotator, zone=zone,
            retry_handlers=_retry_handlers_of(settings),
        )

    def make_client(key: SecretStr) -> SaleshandyClient:
        # One rate-limit window per key, shared by every process through the database.
        window = SharedWindow(
            engine,
            key=key.get_secret_value(),
            sleep=runner.sleep,
            should_stop=runner.stopping.is_set,
            on_wait=metrics.waited_for_rate_limit,
            on_answer=metrics.saleshandy_answered,
            poll_seconds=settings.saleshandy_window_poll_seconds,
        )
        return SaleshandyClient.from_settings(settings, window=window, sleep=runner.sleep, api_key=key)

    accounts = Accounts(
        keys=SaleshandyKeys(engine, box),
        # SALESHANDY_API_KEY is one workspace's key: with many, each sets its own (an admin, in App Home).
        workspace_key=None if installations is not None else settings.saleshandy_api_key,
        make_client=make_client,
        chunk_size=settings.saleshandy_chunk_size,
    )
    store = SubmissionStore(engine, clock=time.time)
    service = TaskService(
        clients=accounts,
        store=store,
        reporter=SlackReporter(
            Delivery(client, for_team=team_clients(zone=False))
        ),
        runner=runner,
        metrics=metrics,
    )
    return AppDeps(
        settings=settings,
        service=service,
        zones=UserTimeZones(
            zone_client,
            default_zone=settings.default_timezone,
            memory=RepZones(engine),
            later=lambda job: runner.intake(job, what="remembering a rep's time zone"),
            for_team=team_clients(zone=True),
        ),
        kept=KeptProspects(engine),
        accounts=accounts,
        drafts=KeptDrafts(engine),
        defaults=RepDefaultsStore(engine),
        handled=HandledDeliveries(engine),
        installations=installations,
        links=ProspectLinkPatterns(settings.prospect_link_patterns),
        runner=runner,
        metrics=metrics,
        store=store,
    )


def _retry_handlers_of(settings: Settings) -> Callable[[], list[RetryHandler]]:
    """New retry handlers for each of the app's WebClients (those that post: no zone lookups)."""
    return partial(
        slack_retry_handlers,
        backoff=settings.slack_retry_backoff_seconds,
        jitter=settings.slack_retry_jitter_seconds,
    )


def _provide(deps: AppDeps) -> Any:
    def provide_deps(context: BoltContext, next: Any) -> None:
        context["deps"] = deps
        next()

    return provide_deps


def handle_error(error: Exception, body: dict[str, Any]) -> None:
    """The one place unexpected errors land: logged with an id the rep is told."""
    error_id = new_error_id()
    logger.exception("unhandled error (error id %s)", error_id, exc_info=error)
    response_url = body.get("response_url")
    if isinstance(response_url, str):
        WebhookClient(response_url).send_dict(
            {**build_notice(f"Something went wrong on our side (error id {error_id})."),
             "response_type": "ephemeral"}
        )
