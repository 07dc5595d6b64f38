"""The fake Slack's workflow steps, exercised with slack_sdk's WebClient over loopback: completions checked
against the declared outputs as Slack checks them, once each; the step's own token good only while it runs;
and the `function_executed` event (first delivery and Slack's retry) as Bolt reads it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.wsgi_server import serve_wsgi
from bot_testing.slack import FakeSlack
from bot_testing.slack_driver import SlackDriver

TOKEN = "xoxb-functions-test"
SECRET = "functions-signing-secret"
STEP = "count_things"
DEFINITION = {
    "title": "Count things",
    "input_parameters": {
        "things": {"type": "string", "title": "Things", "is_required": True},
        "who": {"type": "slack#/types/user_id", "title": "Who", "is_required": False},
        "runner": {"type": "slack#/types/user_context", "title": "Runner", "is_required": False},
    },
    "output_parameters": {
        "count": {"type": "integer", "title": "Count", "is_required": True},
        "names": {"type": "string", "title": "Names", "is_required": False},
    },
}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=TOKEN) as fake:
        fake.add_function(STEP, DEFINITION)
        yield fake


def client(slack: FakeSlack, token: str = TOKEN) -> WebClient:
    return WebClient(token=token, base_url=slack.api_url)


def refused(call: Any) -> tuple[str, list[str]]:
    with pytest.raises(SlackApiError) as error:
        call()
    response = error.value.response
    return str(response["error"]), list((response.get("response_metadata") or {}).get("messages", []))


def test_a_completion_with_the_declared_outputs_completes_the_step_once(slack: FakeSlack) -> None:
    execution = slack.start_function(STEP, {"things": "a\nb"})
    assert slack.function_execution(execution.id).state == "running"
    client(slack).functions_completeSuccess(function_execution_id=execution.id, outputs={"count": 2})
    done = slack.function_execution(execution.id)
    assert (done.state, done.outputs, done.error) == ("completed", {"count": 2}, None)
    complete_again = lambda: client(slack).functions_completeSuccess(  # noqa: E731
        function_execution_id=execution.id, outputs={"count": 2}
    )
    assert refused(complete_again) == ("execution_not_in_running_state", [])
    assert refused(
        lambda: client(slack).functions_completeError(function_execution_id=execution.id, error="late")
    )[0] == "execution_not_in_running_state"
    assert slack.function_execution(execution.id).state == "completed"


@pytest.mark.parametrize(
    ("outputs", "problem"),
    [
        ({}, "missing required output parameter: count"),
        ({"count": "2"}, "output parameter count must be of type integer"),
        ({"count": True}, "output parameter count must be of type integer"),
        ({"count": 2, "names": 7}, "output parameter names must be of type string"),
        ({"count": 2, "colour": "red"}, "unknown output parameter: colour"),
    ],
)
def test_outputs_that_do_not_fit_the_declared_ones_are_refused_and_the_step_keeps_running(
    slack: FakeSlack, outputs: dict[str, Any], problem: str
) -> None:
    execution = slack.start_function(STEP, {"things": "a"})
    error, messages = refused(
        lambda: client(slack).functions_completeSuccess(function_execution_id=execution.id, outputs=outputs)
    )
    assert error == "parameter_validation_failed"
    assert any(problem in message for message in messages), messages
    assert slack.function_execution(execution.id).state == "running"


def test_a_failed_step_keeps_its_error_and_unknown_executions_are_not_found(slack: FakeSlack) -> None:
    execution = slack.start_function(STEP, {"things": "a"})
    client(slack).functions_completeError(function_execution_id=execution.id, error="Things: unreadable")
    done = slack.function_execution(execution.id)
    assert (done.state, done.error, done.outputs) == ("failed", "Things: unreadable", None)
    assert refused(
        lambda: client(slack).functions_completeError(function_execution_id="FxNOPE", error="x")
    )[0] == "function_execution_not_found"


def test_the_steps_own_token_works_while_it_runs_and_not_after(slack: FakeSlack) -> None:
    execution = slack.start_function(STEP, {"things": "a"})
    own = client(slack, execution.bot_access_token)
    assert execution.bot_access_token != TOKEN
    own.chat_postMessage(channel="C1", text="working on it")
    own.functions_completeSuccess(function_execution_id=execution.id, outputs={"count": 1})
    assert refused(lambda: own.chat_postMessage(channel="C1", text="done"))[0] == "invalid_auth"


def test_a_step_runs_only_with_its_required_inputs_and_only_if_declared(slack: FakeSlack) -> None:
    with pytest.raises(ValueError, match="required input 'things'"):
        slack.start_function(STEP, {"who": "U1"})
    with pytest.raises(LookupError):
        slack.start_function("undeclared", {})


def test_a_user_context_input_is_slacks_to_fill_from_who_ran_the_workflow_never_the_builders(
    slack: FakeSlack,
) -> None:
    execution = slack.start_function(STEP, {"things": "a", "who": "U2"}, ran_by="U1")
    runner = execution.inputs["runner"]
    assert runner["id"] == "U1" and isinstance(runner["secret"], str) and len(runner["secret"]) >= 16
    assert execution.inputs["who"] == "U2"  # a user ID a builder sets stays a plain string
    again = slack.start_function(STEP, {"things": "a"}, ran_by="U1")
    assert again.inputs["runner"]["secret"] != runner["secret"]
    assert "runner" not in slack.start_function(STEP, {"things": "a"}).inputs  # a schedule: nobody ran it
    with pytest.raises(ValueError, match="no builder set the user_context input 'runner'"):
        slack.start_function(STEP, {"things": "a", "runner": "U2"}, ran_by="U1")


def test_the_event_reaches_a_bolt_function_listener_and_slacks_retry_carries_the_retry_headers(
    slack: FakeSlack,
) -> None:
    received: list[tuple[dict[str, Any], str | None, str | None]] = []
    app = App(client=client(slack), signing_secret=SECRET)

    @app.function(STEP)
    def count(inputs: dict[str, Any], context: Any, request: Any) -> None:
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        received.append((inputs, context.function_execution_id, retry))
        context.complete(outputs={"count": len(inputs["things"].split())})

    handler = SlackRequestHandler(app)
    server, url = serve_wsgi(handler)
    try:
        with SlackDriver(url, SECRET, slack) as driver:
            assert driver.function_executed(STEP, {"things": "a b c"}, ran_by="U1").status_code == 200
            execution = driver.last_execution
            assert execution is not None
            slack.wait_for("functions.completeSuccess")
            assert driver.redeliver_last_event(retry_num=1).status_code == 200
            slack.wait_for("functions.completeSuccess", count=2)
    finally:
        server.stop()
    runner = execution.inputs["runner"]
    assert received == [
        ({"things": "a b c", "runner": runner}, execution.id, None),
        ({"things": "a b c", "runner": runner}, execution.id, "1"),
    ]
    first, second = slack.calls("functions.completeSuccess")
    assert first.ok and first.token == execution.bot_access_token  # Bolt completes with the step's token
    assert second.error == "invalid_auth"  # that token ended with the step
    assert slack.function_execution(execution.id).outputs == {"count": 3}
