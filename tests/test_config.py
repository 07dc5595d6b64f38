import pytest
from pydantic import SecretStr, ValidationError

from bot.config import ConfigError, Settings


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_every_missing_variable_is_named_with_where_to_get_it() -> None:
    with pytest.raises(ConfigError) as raised:
        settings().require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SALESHANDY_API_KEY")
    message = str(raised.value)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SALESHANDY_API_KEY"):
        assert name in message
    assert "Signing Secret" in message and "Settings → API" in message


def test_present_variables_pass() -> None:
    settings(saleshandy_api_key=SecretStr("k")).require("SALESHANDY_API_KEY")


def test_secrets_stay_out_of_the_repr() -> None:
    configured = settings(saleshandy_api_key=SecretStr("sh-secret-1"), slack_bot_token=SecretStr("xoxb-2"))
    assert "sh-secret-1" not in repr(configured) and "xoxb-2" not in str(configured)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATE_ORDER", "day_first")
    monkeypatch.setenv("PROSPECT_LINK_PATTERNS", "crm\\.example\\.com/p/(?P<id>\\w+)\n  \nother/(?P<id>\\d+)")
    monkeypatch.setenv("SALESHANDY_CHUNK_SIZE", "25")
    configured = settings()
    assert configured.day_first
    assert configured.prospect_link_patterns == ("crm\\.example\\.com/p/(?P<id>\\w+)", "other/(?P<id>\\d+)")
    assert configured.saleshandy_chunk_size == 25


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [
        ("default_timezone", "Mars/Olympus", "IANA"),
        ("prospect_link_patterns", ("no-group",), "named group"),
        ("prospect_link_patterns", ("(unclosed",), "not a regex"),
        ("date_order", "sideways", "month_first"),
        ("saleshandy_chunk_size", 0, "greater than or equal to 1"),
    ],
)
def test_bad_values_are_refused_clearly(field: str, value: object, complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        settings(**{field: value})


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db:5432/tasks", "postgresql+psycopg://u:p@db:5432/tasks"),
        ("postgresql://u:p@db/tasks", "postgresql+psycopg://u:p@db/tasks"),
        ("postgresql+psycopg://u@db/tasks", "postgresql+psycopg://u@db/tasks"),
        ("sqlite:///tasks.sqlite3", "sqlite:///tasks.sqlite3"),
    ],
)
def test_platform_postgres_urls_get_their_driver(given: str, used: str) -> None:
    assert settings(database_url=given).database_url == used
