"""Every setting, read once from the environment (and `.env`), validated, passed down from there."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.clock import UNKNOWN_ZONE_HINT, is_known_zone

REAL_SALESHANDY_API_URL = "https://open-api.saleshandy.com/v1"
REAL_SLACK_API_URL = "https://slack.com/api/"

WHERE_TO_GET: dict[str, str] = {
    "SALESHANDY_API_KEY": "Saleshandy → Settings → API → create an API key",
    "SLACK_BOT_TOKEN": "api.slack.com/apps → your app → OAuth & Permissions → Bot User OAuth Token (xoxb-…)",
    "SLACK_SIGNING_SECRET": "api.slack.com/apps → your app → Basic Information → Signing Secret",
    "ENCRYPTION_KEYS": "one or more Fernet keys, comma-separated (the first encrypts, all decrypt); make one "
    "with: python -c \"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\"",
    "SLACK_CLIENT_ID": "api.slack.com/apps → your app → Basic Information → App Credentials → Client ID",
    "SLACK_CLIENT_SECRET": "api.slack.com/apps → your app → Basic Information → App Credentials → "
    "Client Secret",
    "SLACK_APP_TOKEN": "api.slack.com/apps → your app → Basic Information → App-Level Tokens "
    "(scope connections:write, xapp-…)",
}


class ConfigError(Exception):
    """Settings that are missing or wrong; the message names each variable and where to get it."""


class Settings(BaseSettings):
    """The app's configuration. Tests build their own, pointing the URLs at loopback fakes."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    saleshandy_api_key: SecretStr | None = None
    """The workspace's key: used for reps who have not connected their own (optional once reps can)."""
    encryption_keys: SecretStr | None = None
    """Fernet keys, comma-separated, that encrypt the Saleshandy keys reps connect (first encrypts)."""
    saleshandy_api_url: str = REAL_SALESHANDY_API_URL
    saleshandy_chunk_size: int = Field(default=100, ge=1, le=1000)
    saleshandy_timeout_seconds: float = Field(default=20.0, gt=0)
    saleshandy_max_rate_limit_wait_seconds: float = Field(default=60.0, ge=0)
    saleshandy_retry_backoff_seconds: float = Field(default=0.5, ge=0)
    """First wait before sending again a request that never reached Saleshandy, or a search that failed
    in passing; it doubles each time."""
    saleshandy_window_poll_seconds: float = Field(default=0.2, gt=0)
    """How often a request waiting for room in the shared rate-limit window looks again, while no answer
    has told when the window ends."""

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = REAL_SLACK_API_URL
    slack_retry_backoff_seconds: float = Field(default=0.5, ge=0)
    """Wait before a Slack call whose connection failed is sent again (slack_sdk's default)."""
    slack_retry_jitter_seconds: float = Field(default=1.0, ge=0)
    """Up to this much, at random, is added to each wait before a Slack call is sent again, after a
    connection failure or a 429 (slack_sdk's default: a second)."""
    slack_client_id: str | None = None
    """With SLACK_CLIENT_SECRET and no SLACK_BOT_TOKEN: installed by many workspaces through OAuth."""
    slack_client_secret: SecretStr | None = None
    slack_scopes: str = "commands,chat:write,chat:write.public,users:read,im:write"
    """The bot scopes asked for at install (as in app_manifest.yml)."""

    database_url: str = "sqlite:///saleshandy-tasks.sqlite3"
    default_timezone: str = "UTC"
    date_order: Literal["month_first", "day_first"] = "month_first"
    prospect_link_patterns: Annotated[tuple[str, ...], NoDecode] = ()
    port: int = Field(default=3000, ge=1, le=65535)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        if not is_known_zone(zone):
            raise ValueError(f"unknown time zone {zone!r}; {UNKNOWN_ZONE_HINT}")
        return zone

    @field_validator("database_url")
    @classmethod
    def _postgres_with_its_driver(cls, url: str) -> str:
        # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the dialect and driver named.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url

    @field_validator("prospect_link_patterns", mode="before")
    @classmethod
    def _one_pattern_per_line(cls, raw: object) -> object:
        if isinstance(raw, str):
            return tuple(line.strip() for line in raw.splitlines() if line.strip())
        return raw

    @field_validator("prospect_link_patterns")
    @classmethod
    def _patterns_compile_with_id_group(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                compiled = re.compile(pattern)
            except re.error as error:
                raise ValueError(f"prospect link pattern {pattern!r} is not a regex: {error}") from error
            if "id" not in compiled.groupindex:
                raise ValueError(f"prospect link pattern {pattern!r} needs a named group (?P<id>…)")
        return patterns

    @property
    def oauth_install(self) -> bool:
        """Many workspaces (OAuth install, tokens in the database) rather than one bot token."""
        return (
            _is_blank(self.slack_bot_token)
            and not _is_blank(self.slack_client_id)
            and not _is_blank(self.slack_client_secret)
        )

    @property
    def day_first(self) -> bool:
        return self.date_order == "day_first"

    def require(self, *variables: str, one_of: tuple[tuple[str, ...], ...] = ()) -> None:
        """Raise one ConfigError naming every variable in `variables` that is not set, and each group
        of `one_of` of which none is set."""
        missing = [name for name in variables if _is_blank(getattr(self, name.lower()))]
        lines = [f"  {name}: {WHERE_TO_GET.get(name, 'see README')}" for name in missing]
        for group in one_of:
            if all(_is_blank(getattr(self, name.lower())) for name in group):
                lines.append(f"  one of {' or '.join(group)}:")
                lines += [f"    {name}: {WHERE_TO_GET.get(name, 'see README')}" for name in group]
        if lines:
            raise ConfigError("Missing settings (environment or .env):\n" + "\n".join(lines))


def _is_blank(value: object) -> bool:
    if isinstance(value, SecretStr):
        return not value.get_secret_value().strip()
    return value is None or (isinstance(value, str) and not value.strip())
