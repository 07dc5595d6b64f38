"""`python -m bot demo`: the real app against a fake Slack and a fake Saleshandy, all on loopback.

It plays a scripted session (a rep connecting their own Saleshandy account in App Home, then a slash
command, a modal submission, a message shortcut, a prospect link's preview and its *Create task* button,
a retry of failures and a Workflow Builder step, all made with that rep's key)
with genuinely signed requests over HTTP, or with `--socket-mode` as envelopes over a WebSocket (the way
`python -m bot` runs with SLACK_APP_TOKEN set), and prints what reached each side and what the rep sees.
No account and no network needed.
"""

from __future__ import annotations

import collections
import importlib.util
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from pydantic import SecretStr
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.config import Settings
from bot.domain import TaskType
from bot.parsing.clean_text import shorten
from bot.slack import ids
from bot.slack.app import SlackApp, build_app
from bot.slack.server import build_wsgi_app
from bot.slack.workflow_step import OUTPUT_TYPES, RUNNER_INPUT
from bot.slack.wsgi_server import serve_wsgi
from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack, RecordedCall
from bot_testing.slack_driver import SlackDriver, element_action, fill_view
from bot_testing.slack_payloads import SlackActions

DEMO_KEY = "demo-saleshandy-key"
"""The workspace's key (SALESHANDY_API_KEY): what tasks would be made with for a rep not connected."""
REP_KEY = "demo-ann-own-saleshandy-key"
"""The key ann pastes in App Home: every task of the demo is made with it (never printed)."""
DEMO_TOKEN = "xoxb-demo-token"
DEMO_APP_TOKEN = "xapp-demo-token"
DEMO_SECRET = "demo-signing-secret"
REP = "U123"
INBOUND_LEADS = "C0LEADS"
WAIT_SECONDS = 10.0
SOCKET_PING_SECONDS = 0.05
"""How often the fake Slack pings the app's WebSocket: slack_sdk's client lets its connection go (at the
end of the demo) when its blocking read returns, which without frames coming in takes up to 3 s."""

NEEDS_WEBSOCKETS = (
    "The Socket Mode demo plays Slack's side with the websockets package: python -m pip install -e '.[demo]'"
)
DONE_OVER_HTTP = (
    "\nDone: every request above was signed and sent over HTTP, as Slack and Saleshandy would see it."
)
DONE_OVER_SOCKET_MODE = (
    "\nDone: every request above reached the app as a Socket Mode envelope over one WebSocket, as Slack "
    "sends them when SLACK_APP_TOKEN is set, and the app acked each within Slack's 3 seconds."
)

Print = Callable[[str], None]
Driver = SlackActions[Any]
"""A person's actions in Slack, over HTTP (signed requests) or Socket Mode (envelopes)."""


@contextmanager
def demo_world(*, socket_mode: bool = False) -> Iterator[tuple[FakeSlack, FakeSaleshandy, Driver]]:
    """Both fakes and the app, started on free loopback ports; everything stopped afterwards."""
    with (
        FakeSlack(bot_token=DEMO_TOKEN, app_token=DEMO_APP_TOKEN if socket_mode else None) as slack,
        FakeSaleshandy(api_key=DEMO_KEY) as saleshandy,
        tempfile.TemporaryDirectory() as folder,
    ):
        settings = Settings(
            _env_file=None,
            slack_bot_token=SecretStr(DEMO_TOKEN),
            slack_signing_secret=SecretStr(DEMO_SECRET),
            slack_app_token=SecretStr(DEMO_APP_TOKEN) if socket_mode else None,
            slack_api_url=slack.api_url,
            saleshandy_api_key=SecretStr(DEMO_KEY),
            encryption_keys=SecretStr(Fernet.generate_key().decode()),  # reps' own keys, kept encrypted
            saleshandy_api_url=saleshandy.base_url,
            database_url=f"sqlite:///{Path(folder) / 'demo.sqlite3'}",
            default_timezone="UTC",
        )
        app = build_app(settings)
        try:
            with _over_socket_mode(app.bolt, slack) if socket_mode else _over_http(app, slack) as driver:
                yield slack, saleshandy, driver
        finally:
            app.close()


@contextmanager
def _over_http(app: SlackApp, slack: FakeSlack) -> Iterator[Driver]:
    server, url = serve_wsgi(build_wsgi_app(app))
    try:
        with SlackDriver(url, DEMO_SECRET, slack) as driver:
            yield driver
    finally:
        server.stop()


@contextmanager
def _over_socket_mode(app: App, slack: FakeSlack) -> Iterator[Driver]:
    from bot_testing.slack_socket_driver import SocketModeDriver  # needs websockets (the demo extra)

    slack.socket_mode.ping_interval = SOCKET_PING_SECONDS
    handler = SocketModeHandler(app, DEMO_APP_TOKEN)
    handler.connect()  # type: ignore[no-untyped-call]  # what `python -m bot` starts with, without blocking
    try:
        slack.socket_mode.wait_for_connections(1, timeout=WAIT_SECONDS)
        yield SocketModeDriver(slack)
    finally:
        handler.close()  # type: ignore[no-untyped-call]


def run_demo(out: Print = print, *, socket_mode: bool = False) -> int:
    if socket_mode and importlib.util.find_spec("websockets") is None:
        print(NEEDS_WEBSOCKETS, file=sys.stderr)
        return 2
    with demo_world(socket_mode=socket_mode) as (slack, saleshandy, driver):
        slack.add_user(REP, name="ann", tz="America/New_York")
        if socket_mode:
            _show_connection(slack, out)
        saleshandy.add_key(REP_KEY)
        steps = (
            _connect_in_app_home, _slash_command, _modal, _message_shortcut, _link_preview, _retry_failures,
            _workflow_step,
        )
        for number, step in enumerate(steps, start=1):
            out(f"\n━━ {number}. {(step.__doc__ or '').strip()}")
            step(slack, saleshandy, driver, out)
        if socket_mode:
            _show_envelopes(slack, out)
    out(DONE_OVER_SOCKET_MODE if socket_mode else DONE_OVER_HTTP)
    return 0


def _show_connection(slack: FakeSlack, out: Print) -> None:
    (opened,) = slack.calls("apps.connections.open")
    address = str(opened.response_json["url"]).split("?")[0]
    out(f"the app called apps.connections.open with its app-level token and connected to {address} "
        "(Socket Mode: no public URL)")


def _show_envelopes(slack: FakeSlack, out: Print) -> None:
    socket = slack.socket_mode
    kinds = collections.Counter(f.type for f in socket.sent() if f.envelope_id)
    sent = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    out(f"\n⇄ Slack sent {sent} envelopes over the WebSocket; the app acked {len(socket.acks())} of them")


def _connect_in_app_home(slack: FakeSlack, saleshandy: FakeSaleshandy, driver: Driver, out: Print) -> None:
    """A rep opens the app's Home tab and connects their own Saleshandy account."""
    published = len(slack.calls("views.publish"))
    out("rep opens the app's Home tab")
    driver.app_home_opened(REP)
    home = _published_home(slack, count=published + 1)
    out("Slack shows the Home tab:")
    _show_briefly(home, out)
    out("rep presses “Connect Saleshandy”")
    opened = len(slack.calls("views.open"))
    driver.block_action(element_action(home["blocks"], ids.HOME_CONNECT_ACTION_ID), view=home, user_id=REP)
    view = _opened_view(slack, after=opened)
    out(f"Slack shows the modal “{view['title']['text']}” with fields: {_field_labels(view)}")
    out("rep pastes their own API key (not shown here) and presses Connect")
    driver.view_submission(view, fill_view(view, {ids.CONNECT_KEY_ACTION_ID: REP_KEY}), user_id=REP)
    home = _published_home(slack, count=published + 2)
    out("the Home tab now says:")
    _show_briefly(home, out)


HOME_LINE_CHARS = 100


def _show_briefly(view: dict[str, Any], out: Print) -> None:
    """A Home tab's text, each line cut short (the demo shows what it says, not every word)."""
    for line in _visible_text(view):
        out(f"     {shorten(line, HOME_LINE_CHARS)}")


def _published_home(slack: FakeSlack, *, count: int) -> dict[str, Any]:
    slack.wait_for("views.publish", count=count, timeout=WAIT_SECONDS)
    home = slack.home(REP)
    assert home is not None  # just published
    return home


def _slash_command(slack: FakeSlack, saleshandy: FakeSaleshandy, driver: Driver, out: Print) -> None:
    """A rep types a complete /task command: the tasks are created at once."""
    text = (
        "call follow-up tomorrow high 8PvBmrB7P7 INVALIDxQ01 "
        "note: ask about <https://acme.com/deck|the deck>"
    )
    out(f"rep types:  /task {text}")
    driver.slash_command(text, user_id=REP)
    _show_results(slack, saleshandy, out, replies=1, parent=True)


def _modal(slack: FakeSlack, saleshandy: FakeSaleshandy, driver: Driver, out: Print) -> None:
    """A rep types /task alone, fills the form and submits it."""
    before = _counts(slack, saleshandy)
    out("rep types:  /task")
    opened = len(slack.calls("views.open"))
    driver.slash_command("", user_id=REP)
    view = _opened_view(slack, after=opened)
    out(f"Slack shows the modal “{view['title']['text']}” with fields: {_field_labels(view)}")
    answers = {
        ids.TASK_TYPE_ACTION_ID: "12",
        ids.PROSPECTS_ACTION_ID: "Pr9xQ2Lm\nhttps://my.saleshandy.com/prospects/Mw5Mjoo1wb",
        ids.PRIORITY_ACTION_ID: "1",
        ids.NOTE_ACTION_ID: "Demo of the reporting module",
    }
    out(f"rep fills in: {json.dumps(answers)}")
    driver.view_submission(view, fill_view(view, answers), user_id=REP)
    _show_results(slack, saleshandy, out, replies=1, parent=True, since=before)


def _message_shortcut(slack: FakeSlack, saleshandy: FakeSaleshandy, driver: Driver, out: Print) -> None:
    """A rep runs “Create Saleshandy task” on a message holding prospect links."""
    before = _counts(slack, saleshandy)
    message = slack.add_message(
        "C123",
        "Hot leads from the webinar: <https://my.saleshandy.com/prospects/Zx81Kq2w|Priya Rao> "
        "and https://my.saleshandy.com/prospects/Qm7Lp2Rt",
        user="U999",
    )
    out(f"message in #C123: {message['text']}")
    opened = len(slack.calls("views.open"))
    driver.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID, user_id=REP)
    view = _opened_view(slack, after=opened)
    prefilled = _initial_values(view)
    out(f"the modal opens prefilled: {json.dumps(prefilled, ensure_ascii=False)}")
    driver.view_submission(view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "2"}), user_id=REP)
    _show_results(slack, saleshandy, out, replies=1, parent=False, since=before)


def _link_preview(slack: FakeSlack, saleshandy: FakeSaleshandy, driver: Driver, out: Print) -> None:
    """Someone posts prospect links: they unfurl with “Create task”, which the rep presses."""
    before = _counts(slack, saleshandy)
    links = ("https://my.saleshandy.com/prospects/Hb3Nq8Lz", "https://my.saleshandy.com/prospects/Kt4Wv9Xc")
    message = slack.add_message(
        "C123", f"Both asked for a call back: <{links[0]}|Omar Haddad> and <{links[1]}>", user="U999"
    )
    out(f"message in #C123: {message['text']}")
    driver.link_shared(message, channel_id="C123", user_id="U999")
    slack.wait_for("chat.unfurl", timeout=WAIT_SECONDS)
    for url, preview in slack.unfurls("C123", message["ts"]).items():
        out(f"under {url} the channel sees: {' '.join(_visible_text(preview))}")
    out("rep presses “Create task” under the first link")
    shown = next(m for m in slack.messages("C123") if m["ts"] == message["ts"])
    opened = len(slack.calls("views.open"))
    driver.press_unfurl_button(shown, links[0], ids.UNFURL_CREATE_TASK_ACTION_ID, user_id=REP)
    view = _opened_view(slack, after=opened)
    out(f"the modal opens prefilled: {json.dumps(_initial_values(view), ensure_ascii=False)}")
    out("rep picks the type Call · follow-up: they asked for a call back")
    follow_up = {ids.TASK_TYPE_ACTION_ID: TaskType.CALL_FOLLOW_UP.value}
    driver.view_submission(view, fill_view(view, follow_up), user_id=REP)
    _show_results(slack, saleshandy, out, replies=1, parent=False, since=before)


def _retry_failures(slack: FakeSlack, saleshandy: FakeSaleshandy, driver: Driver, out: Print) -> None:
    """Saleshandy has an outage; the rep checks, then presses the Retry button once it is back."""
    before = _counts(slack, saleshandy)
    saleshandy.fail_next(503, "Service Unavailable")
    out("Saleshandy will answer the next request with 503 Service Unavailable")
    driver.slash_command("demo next fri urgent 8PvBmrB7P7, Pr9xQ2Lm", user_id=REP)
    reply = _show_results(slack, saleshandy, out, replies=1, parent=True, since=before)[-1]
    out("rep checks Saleshandy (no such tasks), waits for it to be back and presses the Retry button, "
        "confirming")
    before = _counts(slack, saleshandy)
    posted = reply.params | {"ts": reply.response_json["ts"]}
    driver.press_button(posted, ids.RETRY_FAILED_ACTION_ID, user_id=REP)
    _show_results(slack, saleshandy, out, replies=1, parent=False, since=before)


def _workflow_step(slack: FakeSlack, saleshandy: FakeSaleshandy, driver: Driver, out: Print) -> None:
    """A workflow runs the step “Create Saleshandy task” when a message is posted in #inbound-leads."""
    step = ids.CREATE_TASK_STEP_CALLBACK_ID
    outputs = {name: {"type": kind, "is_required": True} for name, kind in OUTPUT_TYPES.items()}
    runner = {RUNNER_INPUT: {"type": "slack#/types/user_context", "is_required": True}}
    slack.add_function(
        step, {"title": "Create Saleshandy task", "input_parameters": runner, "output_parameters": outputs}
    )
    slack.add_channel(INBOUND_LEADS, "inbound-leads")
    before = _counts(slack, saleshandy)
    message = slack.add_message(
        INBOUND_LEADS,
        "Hi team, two new inbound leads:\n<https://my.saleshandy.com/prospects/Lx42Kd9w|Omar Haddad>\n"
        "<https://my.saleshandy.com/prospects/INVALIDxQ02|Lee Park>\nPlease call them. Thanks! :pray:",
        user="U999",
    )
    out("message in #inbound-leads:")
    for line in message["text"].splitlines():
        out(f"     {line}")
    inputs = {
        "prospects": message["text"], "task_type": "call", "due_date": "tomorrow",
        "report_channel": INBOUND_LEADS, "report_message_ts": message["ts"],
    }
    out("ann presses the workflow's button “Create call tasks” under it, so she is who ran the workflow")
    out(f"Slack runs the step (function_executed) with inputs: {json.dumps(inputs, ensure_ascii=False)}")
    out(f"and {RUNNER_INPUT}: ann (a user_context, which no workflow builder can set)")
    driver.function_executed(step, inputs, ran_by=REP)
    _show_results(slack, saleshandy, out, replies=1, parent=False, since=before)
    (completed,) = slack.wait_for("functions.completeSuccess", timeout=WAIT_SECONDS)
    outputs_given = json.dumps(completed.params["outputs"])
    out(f"the step completed (functions.completeSuccess) with outputs for the next steps: {outputs_given}")


def _counts(slack: FakeSlack, saleshandy: FakeSaleshandy) -> tuple[int, int]:
    return len(slack.calls("chat.postMessage")), len(saleshandy.create_requests)


def _show_results(
    slack: FakeSlack,
    saleshandy: FakeSaleshandy,
    out: Print,
    *,
    replies: int,
    parent: bool,
    since: tuple[int, int] = (0, 0),
) -> list[RecordedCall]:
    posts = slack.wait_for("chat.postMessage", count=since[0] + replies + int(parent), timeout=WAIT_SECONDS)
    for request in saleshandy.create_requests[since[1] :]:
        whose = "ann's own key" if request.headers.get("x-api-key") == REP_KEY else "another key"
        out(f"→ Saleshandy received POST /v1/tasks/create, made with {whose}: {json.dumps(request.body)}")
    for post in posts[since[0] :]:
        where = "in the thread" if post.params.get("thread_ts") else f"in #{post.params['channel']}"
        out(f"← the rep sees {where}:")
        for line in _visible_text(post.params):
            out(f"     {line}")
    return posts[since[0] :]


def _opened_view(slack: FakeSlack, *, after: int) -> dict[str, Any]:
    """The view the app opens next: the first views.open after the `after` made before the action."""
    opened = slack.wait_for("views.open", count=after + 1, timeout=WAIT_SECONDS)[after]
    view: dict[str, Any] = opened.response_json["view"]
    return view


def _field_labels(view: dict[str, Any]) -> str:
    return ", ".join(b["label"]["text"] for b in view["blocks"] if b.get("type") == "input")


def _initial_values(view: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block.get("element") or {}
        for key in ("initial_value", "initial_date", "initial_option"):
            if key in element:
                value = element[key]
                found[block["label"]["text"]] = value["text"]["text"] if isinstance(value, dict) else value
    return found


def _visible_text(message: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for block in message.get("blocks") or []:
        texts = [block.get("text"), *(block.get("elements") or []), block.get("accessory")]
        for text in texts:
            if isinstance(text, dict) and isinstance(text.get("text"), str):
                lines.extend(text["text"].splitlines())
            elif isinstance(text, dict) and text.get("type") == "button":
                lines.append(f"[ {text['text']['text']} ]")
    return lines or [str(message.get("text", ""))]
