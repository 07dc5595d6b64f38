"""The fake Slack Web API and the Slack driver, over real HTTP on loopback.

The fake is exercised with slack_sdk's own WebClient (so it answers in shapes the SDK accepts);
the driver with a minimal Bolt app served by the tiny WSGI server (so Bolt's own signature check
is what accepts or refuses its requests).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.slack.wsgi_server import serve_wsgi
from bot_testing.http_adapter import Request
from bot_testing.slack import FakeSlack
from bot_testing.slack_driver import (
    SlackDriver,
    button_action,
    fill_view,
    interaction_body,
    plain_text_input,
    static_select,
)

SIGNING_SECRET = "test-signing-secret"
TOKEN = "xoxb-test"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_764_300_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def module_fake() -> Iterator[FakeSlack]:
    with FakeSlack(TOKEN) as fake:
        yield fake


@pytest.fixture
def fake(module_fake: FakeSlack) -> FakeSlack:
    module_fake.reset()
    return module_fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.api_url)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed_fake(clock: Clock) -> Iterator[FakeSlack]:
    with FakeSlack(TOKEN, clock=clock) as fake:
        yield fake


# ---- the fake Web API ------------------------------------------------------------------------


def test_post_message_records_blocks_and_returns_increasing_ts(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Created*"}}]
    first = client.chat_postMessage(channel="C1", text="Created", blocks=blocks)
    reply = client.chat_postMessage(channel="C1", text="detail", thread_ts=first["ts"])

    assert first["ok"] and first["channel"] == "C1"
    assert float(reply["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == blocks
    calls = fake.calls("chat.postMessage")
    assert [c.params["blocks"] for c in calls[:1]] == [blocks]
    assert calls[0].channel == "C1" and "authorization" not in calls[0].headers
    assert [m.get("thread_ts") for m in fake.messages("C1")] == [None, first["ts"]]


def test_form_encoded_blocks_are_decoded_and_form_token_accepted(fake: FakeSlack) -> None:
    answer = httpx.post(
        fake.api_url + "chat.postMessage",
        data={"token": TOKEN, "channel": "C1", "blocks": '[{"type": "divider"}]'},
    ).json()

    assert answer["ok"] is True
    call = fake.calls("chat.postMessage")[0]
    assert call.params == {"channel": "C1", "blocks": [{"type": "divider"}]}


def test_token_inside_a_json_body_is_not_accepted(fake: FakeSlack) -> None:
    answer = httpx.post(fake.api_url + "auth.test", json={"token": TOKEN})

    assert answer.status_code == 200
    assert answer.json() == {"ok": False, "error": "not_authed"}


@pytest.mark.parametrize(
    ("setup", "token", "error"),
    [
        (lambda f: f.set_bot_not_in("C1"), TOKEN, "not_in_channel"),
        (lambda f: f.set_missing_channel("C1"), TOKEN, "channel_not_found"),
        (lambda f: None, "xoxb-wrong", "invalid_auth"),
        (lambda f: f.fail_next("chat.postMessage", "is_archived"), TOKEN, "is_archived"),
    ],
)
def test_api_errors_surface_as_slack_api_error(fake: FakeSlack, setup: Any, token: str, error: str) -> None:
    setup(fake)
    client = WebClient(token=token, base_url=fake.api_url)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="hi")

    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == error
    assert fake.messages("C1") == []


def test_post_message_validates_like_slack(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError, match="no_text"):
        client.api_call("chat.postMessage", json={"channel": "C1"})
    with pytest.raises(SlackApiError, match="channel_not_found"):
        client.api_call("chat.postMessage", json={"text": "hi"})
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel="C1", text="x", blocks=[{"type": "divider"}] * 51)


def test_faults_last_as_scripted(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", "fatal_error", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError, match="fatal_error"):
            client.chat_postMessage(channel="C1", text="hi")
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]

    fake.set_bot_not_in("C2")
    with pytest.raises(SlackApiError, match="not_in_channel"):
        client.chat_postMessage(channel="C2", text="hi")
    fake.set_bot_in("C2")
    assert client.chat_postMessage(channel="C2", text="hi")["ok"]


def test_rate_limit_answers_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit_next("chat.postMessage", retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="hi")

    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["retry-after"] == "7"


def test_rate_limit_is_retried_by_slack_sdk_retry_handler(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handler sleeps Retry-After plus up to a second of jitter; record the wait instead of waiting.
    slept: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=slept.append))
    client = WebClient(token=TOKEN, base_url=fake.api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake.rate_limit_next("chat.postMessage", retry_after=3)

    answer = client.chat_postMessage(channel="C1", text="hi")

    assert answer["ok"] is True
    assert len(slept) == 1 and 3 <= slept[0] < 4  # it waited the Retry-After the fake stated
    calls = fake.calls("chat.postMessage")
    assert [(c.status, c.error) for c in calls] == [(429, "ratelimited"), (200, None)]
    assert len(fake.messages("C1")) == 1


def test_users_info_gives_the_configured_time_zone(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U777", name="ravi", tz="Asia/Kolkata")

    user = client.users_info(user="U777")["user"]

    assert (user["id"], user["name"], user["tz"], user["tz_offset"]) == (
        "U777",
        "ravi",
        "Asia/Kolkata",
        19800,
    )
    assert user["profile"]["display_name"] == "ravi"
    with pytest.raises(SlackApiError, match="user_not_found"):
        client.users_info(user="U404")


def test_answers_without_being_served_over_http() -> None:
    fake = FakeSlack(TOKEN)
    headers = {"authorization": f"Bearer {TOKEN}", "content-type": "application/x-www-form-urlencoded"}

    answer = fake.handle(Request("POST", "/api/chat.postMessage", "", headers, b"channel=C1&text=hi"))

    assert answer.status == 200 and json.loads(answer.body)["ok"] is True
    assert [m["text"] for m in fake.messages("C1")] == ["hi"]


def test_views_open_spends_a_trigger_once(fake: FakeSlack, client: WebClient) -> None:
    view = {
        "type": "modal",
        "callback_id": "task_modal",
        "title": {"type": "plain_text", "text": "New task"},
        "blocks": [],
        "private_metadata": "C1",
    }
    trigger = fake.issue_trigger_id()

    opened = client.views_open(trigger_id=trigger, view=view)["view"]

    assert opened["id"].startswith("V") and opened["hash"]
    assert (opened["callback_id"], opened["private_metadata"]) == ("task_modal", "C1")
    assert fake.view(opened["id"]) == opened
    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        client.views_open(trigger_id=trigger, view=view)
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        client.views_open(trigger_id="123.456.never-issued", view=view)
    expired = fake.issue_trigger_id()
    fake.expire_trigger(expired)
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        client.views_open(trigger_id=expired, view=view)


def test_trigger_expires_three_seconds_after_it_was_issued(timed_fake: FakeSlack, clock: Clock) -> None:
    client = WebClient(token=TOKEN, base_url=timed_fake.api_url)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    trigger = timed_fake.issue_trigger_id()
    clock.now += 3.5

    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        client.views_open(trigger_id=trigger, view=view)


def test_invalid_view_is_refused(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id=fake.issue_trigger_id(), view={"type": "modal"})

    assert raised.value.response["error"] == "invalid_arguments"
    assert raised.value.response["response_metadata"]["messages"]


def test_response_url_takes_five_posts_then_404(fake: FakeSlack) -> None:
    url = fake.response_url("C1", "U123")
    webhook = WebhookClient(url)

    statuses = [webhook.send(text=f"post {n}").status_code for n in range(6)]

    assert statuses == [200] * 5 + [404]
    calls = fake.calls("response_url")
    assert calls[-1].response == "expired_url"
    assert (calls[0].channel, calls[0].user, calls[0].params["text"]) == ("C1", "U123", "post 0")


def test_response_url_expires_after_thirty_minutes(timed_fake: FakeSlack, clock: Clock) -> None:
    url = timed_fake.response_url("C1", "U123")
    clock.now += 30 * 60 + 1

    answer = httpx.post(url, json={"text": "late"})

    assert (answer.status_code, answer.text) == (404, "expired_url")


def test_response_url_in_channel_and_replace_original(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="original")
    url = fake.response_url("C1", "U123", message_ts=posted["ts"])

    assert httpx.post(url, json={"replace_original": True, "text": "replaced"}).text == "ok"
    assert httpx.post(url, json={"response_type": "in_channel", "text": "shout"}).text == "ok"
    assert httpx.post(url, json={"text": "just for you"}).text == "ok"

    assert [m["text"] for m in fake.messages("C1")] == ["replaced", "shout"]
    assert fake.ephemeral_messages()[0]["text"] == "just for you"


def test_direct_messages_and_unknown_methods(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U123")["channel"]["id"]

    assert dm.startswith("D")
    assert client.conversations_open(users="U123")["channel"]["id"] == dm
    assert client.chat_postMessage(channel="U123", text="hi")["channel"] == dm
    # Methods the app never calls are not faked: a test that needs one fails loudly, not silently.
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.chat_update(channel="C1", ts="1.2", text="done")
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("files.upload.v3")


def test_wait_for_blocks_until_a_background_call_arrives(fake: FakeSlack) -> None:
    def post_later() -> None:
        time.sleep(0.05)
        WebClient(token=TOKEN, base_url=fake.api_url).chat_postMessage(channel="C1", text="x")

    threading.Thread(target=post_later).start()

    assert fake.wait_for("chat.postMessage", timeout=5)[0].params["text"] == "x"
    with pytest.raises(TimeoutError, match=r"chat\.postMessage"):
        fake.wait_for("chat.postMessage", count=2, timeout=0.02)


# ---- the driver, against a minimal Bolt app ----------------------------------------------------


class Received:
    """What the Bolt listeners saw, recorded before they ack."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: dict[str, list[dict[str, Any]]] = {}

    def add(self, kind: str, item: dict[str, Any]) -> None:
        with self._lock:
            self.items.setdefault(kind, []).append(item)

    def get(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.items.get(kind, []))


MODAL = {
    "type": "modal",
    "callback_id": "task_modal",
    "title": {"type": "plain_text", "text": "New task"},
    "submit": {"type": "plain_text", "text": "Create"},
    "private_metadata": "C123",
    "blocks": [
        {
            "type": "input",
            "block_id": "prospects",
            "label": {"type": "plain_text", "text": "Prospects"},
            "element": {"type": "plain_text_input", "action_id": "prospects_input"},
        },
        {
            "type": "input",
            "block_id": "priority",
            "label": {"type": "plain_text", "text": "Priority"},
            "element": {
                "type": "static_select",
                "action_id": "priority_select",
                "options": [
                    {"text": {"type": "plain_text", "text": "High"}, "value": "high"},
                    {"text": {"type": "plain_text", "text": "Low"}, "value": "low"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "note",
            "optional": True,
            "label": {"type": "plain_text", "text": "Note"},
            "element": {
                "type": "plain_text_input",
                "action_id": "note_input",
                "initial_value": "from Slack",
            },
        },
    ],
}


def build_app(fake: FakeSlack, received: Received) -> App:
    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token=TOKEN, base_url=fake.api_url),
    )

    @app.command("/task")
    def handle_task_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        received.add("command", command)
        if command["text"] == "modal":
            client.views_open(trigger_id=command["trigger_id"], view=MODAL)
        ack("Working on it")
        respond("Done")

    @app.message_shortcut("create_task")
    def handle_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        received.add("shortcut", body)
        ack()

    @app.view("task_modal")
    def handle_submission(ack: Ack, view: dict[str, Any], body: dict[str, Any]) -> None:
        received.add("view", view)
        ack()

    @app.action("retry")
    def handle_retry(ack: Ack, body: dict[str, Any]) -> None:
        received.add("action", body)
        ack()

    @app.options("prospect_search")
    def handle_options(ack: Ack, payload: dict[str, Any]) -> None:
        received.add("options", payload)
        ack(options=[{"text": {"type": "plain_text", "text": "Ann"}, "value": "P1"}])

    return app


@pytest.fixture(scope="module")
def app_env(module_fake: FakeSlack) -> Iterator[tuple[str, Received]]:
    received = Received()
    server, url = serve_wsgi(SlackRequestHandler(build_app(module_fake, received)))
    with server:
        yield url, received


@pytest.fixture
def received(app_env: tuple[str, Received]) -> Received:
    app_env[1].items.clear()
    return app_env[1]


@pytest.fixture
def driver(fake: FakeSlack, app_env: tuple[str, Received]) -> Iterator[SlackDriver]:
    with SlackDriver(app_env[0], SIGNING_SECRET, fake) as driver:
        yield driver


def test_signed_slash_command_reaches_the_listener(
    fake: FakeSlack, driver: SlackDriver, received: Received
) -> None:
    response = driver.slash_command("call 123 tomorrow", user_id="U123", channel_id="C9")

    assert response.status_code == 200
    assert response.text == "Working on it"
    [command] = received.get("command")
    assert command["text"] == "call 123 tomorrow"
    assert (command["command"], command["user_id"], command["channel_id"]) == ("/task", "U123", "C9")
    assert (command["team_id"], command["user_name"]) == ("T0001", "ann")
    [follow_up] = fake.wait_for("response_url")
    assert (follow_up.channel, follow_up.user, follow_up.params["text"]) == ("C9", "U123", "Done")


def test_slash_command_trigger_opens_a_modal_and_its_submission_arrives(
    fake: FakeSlack, driver: SlackDriver, received: Received
) -> None:
    assert driver.slash_command("modal").status_code == 200
    [opened] = fake.wait_for("views.open")
    view = opened.response_json["view"]

    values = fill_view(view, {"prospects_input": "123, 456", "priority_select": "high"})
    response = driver.view_submission(view, values, user_id="U123")

    assert response.status_code == 200
    [submitted] = received.get("view")
    state = submitted["state"]["values"]
    assert state["prospects"]["prospects_input"] == plain_text_input("123, 456")
    assert state["priority"]["priority_select"]["selected_option"]["value"] == "high"
    assert state["note"]["note_input"]["value"] == "from Slack"  # initial value, untouched
    assert (submitted["id"], submitted["private_metadata"]) == (view["id"], "C123")


def test_bad_signature_is_refused_and_the_listener_never_runs(
    driver: SlackDriver, received: Received
) -> None:
    body = b"command=%2Ftask&text=x&user_id=U123&channel_id=C1&team_id=T0001"

    assert driver.send_badly_signed(body).status_code == 401
    assert driver.send(body, signature="v0=" + "0" * 64).status_code == 401
    assert driver.raw(body, {"Content-Type": "application/x-www-form-urlencoded"}).status_code == 401
    assert received.get("command") == []


def test_stale_timestamp_is_refused(driver: SlackDriver, received: Received) -> None:
    fields = driver.slash_command_fields("x")
    body = urlencode(fields).encode()

    assert driver.send(body, timestamp=int(time.time()) - 301).status_code == 401
    assert driver.send_stale(body).status_code == 401
    assert driver.send(body).status_code == 200  # the same body, fresh: accepted
    assert len(received.get("command")) == 1


def test_message_shortcut_carries_the_message(
    fake: FakeSlack, driver: SlackDriver, received: Received
) -> None:
    parent = fake.add_message("C1", "thread start")
    reply = fake.add_message("C1", "please call P1 tomorrow", thread_ts=parent["ts"])

    response = driver.message_shortcut(reply, callback_id="create_task", user_id="U123", channel_id="C1")

    assert response.status_code == 200
    [body] = received.get("shortcut")
    assert body["type"] == "message_action"
    assert body["message"]["ts"] == reply["ts"] == body["message_ts"]
    assert body["message"]["thread_ts"] == parent["ts"]
    assert body["message"]["text"] == "please call P1 tomorrow"
    assert body["channel"]["id"] == "C1" and body["user"]["id"] == "U123"
    assert body["trigger_id"] and body["response_url"].startswith(fake.base_url)


def test_block_action_carries_the_value(
    fake: FakeSlack, client: WebClient, driver: SlackDriver, received: Received
) -> None:
    blocks = [
        {
            "type": "actions",
            "block_id": "outcome",
            "elements": [
                {
                    "type": "button",
                    "action_id": "retry",
                    "text": {"type": "plain_text", "text": "Retry"},
                    "value": "submission-42",
                }
            ],
        }
    ]
    posted = client.chat_postMessage(channel="C1", text="1 failed", blocks=blocks)["message"]

    assert driver.press_button(posted, "retry", channel_id="C1").status_code == 200
    assert driver.block_action(button_action("retry", "by-hand"), message=None).status_code == 200

    first, second = received.get("action")
    assert first["actions"][0]["value"] == "submission-42"
    assert first["actions"][0]["block_id"] == "outcome"
    assert first["container"]["message_ts"] == posted["ts"]
    assert first["message"]["ts"] == posted["ts"]
    assert second["actions"][0]["value"] == "by-hand"
    assert second["container"]["is_ephemeral"] is True


def test_block_suggestion_gets_the_apps_options(driver: SlackDriver, received: Received) -> None:
    view = {**MODAL, "id": "V1", "hash": "1.abc"}

    response = driver.block_suggestion("prospect_search", "prospects", "An", view)

    assert response.status_code == 200
    assert response.json()["options"][0]["value"] == "P1"
    assert received.get("options")[0]["value"] == "An"


def test_interaction_body_is_a_single_payload_field(driver: SlackDriver) -> None:
    payload = driver.block_action_payload(button_action("retry", "v"), message=None)
    body = interaction_body(payload)

    assert list(httpx.QueryParams(body.decode()).keys()) == ["payload"]
    assert static_select("low", "Low")["selected_option"]["value"] == "low"


def test_concurrent_posts_get_unique_increasing_ts(fake: FakeSlack) -> None:
    def post_ten() -> None:
        client = WebClient(token=TOKEN, base_url=fake.api_url)
        for n in range(10):
            client.chat_postMessage(channel="C1", text=str(n))

    threads = [threading.Thread(target=post_ten) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stamps = [c.response_json["ts"] for c in fake.calls("chat.postMessage")]
    assert len(stamps) == len(set(stamps)) == 80
    assert stamps == sorted(stamps, key=float)
    assert len(fake.messages("C1")) == 80


def test_wsgi_server_stops_listening() -> None:
    def hello(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello"]

    server, url = serve_wsgi(hello)
    assert httpx.get(url).text == "hello"
    server.stop()

    with pytest.raises(httpx.ConnectError):
        httpx.get(url)
