"""The README and the manifest say what the code does."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.parsing.vocabulary import BARE_PRIORITY_DIGITS, PRIORITY_SYNONYMS, TASK_TYPE_SYNONYMS
from bot.slack import ids

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_opens_with_the_run_and_test_commands() -> None:
    top = README[:1500]
    assert "python -m pip install -e . && python -m bot demo" in top
    assert "python -m pip install -e '.[test]' && python -m pytest" in top


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    assert "python -m pip install -e '.[test]' && python -m pytest" in (ROOT / ".ci" / "run").read_text()


def test_readme_publishes_every_synonym() -> None:
    for words in TASK_TYPE_SYNONYMS.values():
        for word in words:
            assert f"`{word}`" in README, word
    for words in PRIORITY_SYNONYMS.values():
        for word in words:
            if word not in BARE_PRIORITY_DIGITS:
                assert f"`{word}`" in README, word


def test_manifest_matches_the_code_and_asks_only_for_used_scopes() -> None:
    manifest = yaml.safe_load((ROOT / "app_manifest.yml").read_text())
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == [ids.TASK_COMMAND]
    assert [(s["type"], s["callback_id"]) for s in features["shortcuts"]] == [
        ("message", ids.MESSAGE_SHORTCUT_CALLBACK_ID),
        ("global", ids.GLOBAL_SHORTCUT_CALLBACK_ID),
    ]
    assert "saleshandy.com" in features["unfurl_domains"]  # prospect links unfurl with Create task
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True  # where DM fallbacks show up
    assert features["app_home"]["home_tab_enabled"] is True  # connecting Saleshandy, recent submissions
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "app_uninstalled", "tokens_revoked", "link_shared",
    }
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "chat:write.public", "users:read", "im:write", "links:read", "links:write",
    }


def test_every_scope_in_the_manifest_says_why() -> None:
    lines = (ROOT / "app_manifest.yml").read_text().splitlines()
    scopes = yaml.safe_load("\n".join(lines))["oauth_config"]["scopes"]["bot"]
    for scope in scopes:
        (line,) = [line for line in lines if line.strip().startswith(f"- {scope} ")]
        assert "#" in line and line.split("#", 1)[1].strip(), scope


def test_procfile_serves_the_wsgi_factory() -> None:
    procfile = (ROOT / "Procfile").read_text()
    assert "gunicorn" in procfile and "bot.slack.server:create_wsgi_app()" in procfile
