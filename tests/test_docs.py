"""The README and the manifest say what the code does."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.parsing.vocabulary import BARE_PRIORITY_DIGITS, PRIORITY_SYNONYMS, TASK_TYPE_SYNONYMS
from bot.slack import ids, workflow_step

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
        "app_home_opened", "app_uninstalled", "tokens_revoked", "function_executed", "link_shared",
    }
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "chat:write.public", "users:read", "im:write", "links:read", "links:write",
    }


def test_manifest_declares_the_workflow_step_the_code_reads_and_completes() -> None:
    manifest = yaml.safe_load((ROOT / "app_manifest.yml").read_text())
    assert list(manifest["functions"]) == [ids.CREATE_TASK_STEP_CALLBACK_ID]
    step = manifest["functions"][ids.CREATE_TASK_STEP_CALLBACK_ID]
    inputs = step["input_parameters"]
    assert set(inputs) == {
        workflow_step.PROSPECTS_INPUT, workflow_step.TASK_TYPE_INPUT, workflow_step.DUE_DATE_INPUT,
        workflow_step.PRIORITY_INPUT, workflow_step.NOTE_INPUT, workflow_step.RUNNER_INPUT,
        workflow_step.CHANNEL_INPUT, workflow_step.MESSAGE_INPUT,
    }
    titles = {inputs[name]["title"] for name in inputs}
    assert set(workflow_step.INPUT_TITLES.values()) <= titles  # the step's errors name inputs by title
    # Whose Saleshandy key acts is Slack's to say (a user_context no builder can set), never a user ID
    # a builder could point at any colleague.
    assert inputs[workflow_step.RUNNER_INPUT]["type"] == "slack#/types/user_context"
    assert not [name for name, given in inputs.items() if given["type"] == "slack#/types/user_id"]
    assert inputs[workflow_step.CHANNEL_INPUT]["type"] == "slack#/types/channel_id"
    outputs = step["output_parameters"]
    assert set(outputs) == set(workflow_step.step_outputs(None, ()))
    assert {name: output["type"] for name, output in outputs.items()} == workflow_step.OUTPUT_TYPES
    assert all(output["is_required"] for output in outputs.values())
    assert manifest["settings"]["org_deploy_enabled"] is True  # functions need an org-ready app
    assert manifest["settings"]["function_runtime"] == "remote"
def test_every_scope_in_the_manifest_says_why() -> None:
    lines = (ROOT / "app_manifest.yml").read_text().splitlines()
    scopes = yaml.safe_load("\n".join(lines))["oauth_config"]["scopes"]["bot"]
    for scope in scopes:
        (line,) = [line for line in lines if line.strip().startswith(f"- {scope} ")]
        assert "#" in line and line.split("#", 1)[1].strip(), scope


def test_procfile_serves_the_wsgi_factory() -> None:
    procfile = (ROOT / "Procfile").read_text()
    assert "gunicorn" in procfile and "bot.slack.server:create_wsgi_app()" in procfile
