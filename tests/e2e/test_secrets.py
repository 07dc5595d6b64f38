"""No secret leaves the app by any door but its own: the Saleshandy key only in `x-api-key`, the bot token
only in `Authorization`, the signing secret nowhere. A run through every path, errors and fallbacks
included, with every logger at DEBUG (the app's, Bolt's, slack_sdk's, httpx's, urllib3's), and then a search
of every log record, every message and view sent to Slack, every request sent to Saleshandy, and every
answer the app gave Slack."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from bot.slack import ids
from bot_testing.slack_driver import fill_view
from tests.conftest import SALESHANDY_TEST_KEY
from tests.e2e.conftest import (
    CHANNEL,
    SLACK_BOT_TOKEN,
    SLACK_SIGNING_SECRET,
    RunningApp,
    opened_view,
    wait_for_creates,
    wait_until,
)
from tests.helpers.logs import Everything
from tests.helpers.slack_app import RETRIES_AT_ONCE, use_up

SECRETS = {
    "Saleshandy API key": SALESHANDY_TEST_KEY,
    "Slack bot token": SLACK_BOT_TOKEN,
    "Slack signing secret": SLACK_SIGNING_SECRET,
}
PIECES = {
    f"part of the {name}": value.rsplit("-", 1)[-1] for name, value in SECRETS.items()
}
"""The random tail of each secret alone: a secret cut short, or with its prefix removed, still shows."""

def leaks(places: list[tuple[str, str]]) -> list[str]:
    found = []
    for where, text in places:
        for name, secret in {**SECRETS, **PIECES}.items():
            if secret in text:
                found.append(f"{name} in {where}: …{text[max(0, text.index(secret) - 60):][:160]}…")
    return found


def run_every_path(app: RunningApp) -> list[httpx.Response]:
    """Commands, help, the form (with errors, then valid), the shortcut, Saleshandy errors that repeat the
    key, a retry, Slack refusing the channel, a used-up response_url, a rate limit, an expired trigger,
    an unhandled error, a forged request. Returns every answer the app gave."""
    slack, saleshandy, driver = app.slack, app.saleshandy, app.driver
    answers: list[httpx.Response] = []
    raw = driver.raw
    driver.raw = lambda body, headers: answers.append(raw(body, headers)) or answers[-1]

    driver.slash_command("help")
    driver.slash_command("call 8PvBmrB7P7 INVALIDaa1 tomorrow note: hello")
    slack.wait_for("chat.postMessage", count=2)

    # The form: refused values, then valid ones.
    view = opened_view_after(app, lambda: driver.slash_command("call tomorrow"))
    for prospects in ("?!", "Ab12Cd34"):
        driver.view_submission(
            view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "13", ids.PROSPECTS_ACTION_ID: prospects})
        )
    slack.wait_for("chat.postMessage", count=4)

    # The shortcut.
    message = slack.add_message(CHANNEL, "call https://my.saleshandy.com/prospects/Ef56Gh78 today")
    view = opened_view_after(
        app, lambda: driver.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)
    )
    driver.view_submission(view, fill_view(view, {ids.TASK_TYPE_ACTION_ID: "11"}))
    slack.wait_for("chat.postMessage", count=5)

    # Saleshandy refuses the key, and says it back; then an HTML 500 page with the key in it; a retry.
    saleshandy.fail_next(401, f"Invalid API key {SALESHANDY_TEST_KEY}")
    driver.slash_command("call Gh12Ij34")
    saleshandy.answer_next_raw(
        f"<html>upstream error for x-api-key={SALESHANDY_TEST_KEY}</html>", status=500, creates_tasks=False
    )
    driver.slash_command("call Kl56Mn78")
    wait_until(lambda: len(thread_replies_with_retry(app)) >= 2, what="two results with a retry button")
    for reply in thread_replies_with_retry(app):
        driver.press_button(reply, ids.RETRY_FAILED_ACTION_ID)
    wait_for_creates(saleshandy, 7)
    slack.wait_for("chat.postMessage", count=11)

    # Slack refuses the channel: response_url; used up: DM. Then a rate limit on posting.
    slack.set_bot_not_in(CHANNEL)
    driver.slash_command("call Op90Qr12")
    slack.wait_for("response_url", count=3)
    fields = driver.slash_command_fields("call St34Uv56")
    use_up(fields["response_url"])
    driver.send(urlencode(fields).encode())
    slack.wait_for("conversations.open")
    slack.set_bot_in(CHANNEL)
    slack.rate_limit_next("chat.postMessage", retry_after=0)
    driver.slash_command("call Wx78Yz90")

    # Saleshandy's answer lost; an expired trigger; an unhandled error; a forged request.
    saleshandy.drop_next_connection()
    driver.slash_command("call Za12Yb34")
    fields = driver.slash_command_fields("")
    slack.expire_trigger(fields["trigger_id"])
    driver.send(urlencode(fields).encode())
    # Its views.open comes after the ack: wait for it, or the next form's index could name this one.
    wait_until(lambda: any(c.error == "expired_trigger_id" for c in slack.calls("views.open")),
               what="the expired trigger's views.open")
    # An unhandled error (logged with its traceback): a form whose memory Slack garbled.
    view = opened_view_after(app, lambda: driver.slash_command("call Xc56Wd78 sometime"))
    driver.view_submission({**view, "private_metadata": "{garbled"}, fill_view(view, {}))
    driver.send_badly_signed(urlencode(driver.slash_command_fields("call Ve90Uf12")).encode())
    wait_for_creates(saleshandy, 11)
    for prospect in ("Op90Qr12", "St34Uv56", "Wx78Yz90", "Za12Yb34"):
        wait_until(lambda p=prospect: reported(app, p), what=f"the results for {prospect}")
    wait_until(lambda: len(slack.calls("response_url")) >= 5, what="the private messages")
    app.drain()  # nothing still on its way when the search starts (or into the next test)
    return answers


def reported(app: RunningApp, prospect: str) -> bool:
    """A result line for `prospect` reached the rep (thread, response_url or DM)."""
    return any(
        c.ok and f"*{prospect}* —" in str(c.params.get("blocks"))
        for c in app.slack.calls()
        if c.method in ("chat.postMessage", "response_url")
    )


def opened_view_after(app: RunningApp, action: Any) -> dict[str, Any]:
    before = len(app.slack.calls("views.open"))
    action()
    return opened_view(app.slack, index=before)


def thread_replies_with_retry(app: RunningApp) -> list[dict[str, Any]]:
    return [m for m in app.slack.messages(CHANNEL) if ids.RETRY_FAILED_ACTION_ID in str(m.get("blocks"))
            and "Retry:" not in str(m.get("text"))]


@pytest.mark.parametrize("running_app", [pytest.param(RETRIES_AT_ONCE, id="retries at once")], indirect=True)
def test_no_secret_is_logged_sent_to_slack_or_answered_on_any_path(
    every_log: Everything, running_app: RunningApp
) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    answers = run_every_path(running_app)

    # The run did go everywhere it was meant to: the paths are not just named, they happened.
    calls = slack.calls()
    methods = {c.method for c in calls}
    assert {"views.open", "chat.postMessage", "response_url", "conversations.open", "users.info"} <= methods
    assert any(c.status == 429 for c in calls) and any(c.error == "expired_trigger_id" for c in calls)
    assert any(r.status_code == 401 for r in answers)
    assert any("response_action" in r.text for r in answers)  # the form's field errors
    shown = "\n".join(str(c.params) for c in calls)
    assert "API key was rejected" in shown and "internal error" in shown and "Retry:" in shown
    assert "[redacted]" not in shown or SALESHANDY_TEST_KEY not in shown
    assert len(every_log.records) > 200
    assert any(r.name.startswith("slack_sdk") for r in every_log.records)
    assert any(r.name.startswith("httpx") or r.name.startswith("httpcore") for r in every_log.records)
    assert any(r.name.startswith("slack_bolt") for r in every_log.records)
    assert any(r.exc_info and "unhandled error" in r.getMessage() for r in every_log.records)  # a traceback

    places: list[tuple[str, str]] = list(every_log.texts())
    places += [(f"Slack {c.method} params", repr(c.params)) for c in calls]
    places += [(f"Slack {c.method} headers", repr(c.headers)) for c in calls]
    places += [(f"Slack {c.method} answer", repr(c.response)) for c in calls]
    for request in saleshandy.requests:
        assert request.headers["x-api-key"] == SALESHANDY_TEST_KEY  # its one place
        others = {k: v for k, v in request.headers.items() if k != "x-api-key"}
        places += [
            (f"Saleshandy {request.path} headers", repr(others)),
            (f"Saleshandy {request.path} body", request.raw_body.decode(errors="replace")),
            (f"Saleshandy {request.path} url", f"{request.path}?{request.query}"),
        ]
    places += [(f"answer {r.status_code} to Slack", r.text + repr(dict(r.headers))) for r in answers]

    assert leaks(places) == []


def test_the_search_finds_a_secret_wherever_it_would_be(every_log: Everything) -> None:
    logging.getLogger("bot.test").debug("token %s", SLACK_BOT_TOKEN[:-1] + SLACK_BOT_TOKEN[-1])
    logging.getLogger("slack_sdk.test").info("key tail: %r", {"k": SALESHANDY_TEST_KEY.rsplit("-", 1)[-1]})
    try:
        raise ValueError(f"bad secret {SLACK_SIGNING_SECRET}")
    except ValueError:
        logging.getLogger("bot.test").exception("failed")
    found = leaks(list(every_log.texts()))
    assert any("Slack bot token in log bot.test" in f for f in found)
    assert any("part of the Saleshandy API key in log slack_sdk.test" in f for f in found)
    assert any("Slack signing secret in log bot.test ERROR" in f for f in found)


# ---- reps' own keys: connecting, the Home tab, tasks, lookups, the picker, a rejected key -----------------

REP_KEY = "sh-rep-secret-5d1e7a9c3b02"
WRONG_KEY = "sh-wrong-secret-8c2f4b6e1a93"
ENCRYPTION_KEY = "Qm9v4U3d6h7K0pX1a2b3c4d5e6f7g8h9i0j1k2l3m4n="
REP_SECRETS = {
    "a rep's Saleshandy key": REP_KEY,
    "a refused Saleshandy key": WRONG_KEY,
    "ENCRYPTION_KEYS": ENCRYPTION_KEY,
    "part of a rep's key": REP_KEY.rsplit("-", 1)[-1],
    "part of a refused key": WRONG_KEY.rsplit("-", 1)[-1],
}


@pytest.mark.parametrize("running_app", [{"encryption_keys": ENCRYPTION_KEY}], indirect=True)
def test_no_reps_key_leaves_by_any_door(every_log: Everything, running_app: RunningApp) -> None:
    from tests.helpers.accounts import connect, open_home, press_in_home

    app, slack, saleshandy = running_app, running_app.slack, running_app.saleshandy
    driver = running_app.driver
    saleshandy.add_key(REP_KEY)
    saleshandy.add_key(WRONG_KEY)
    saleshandy.remove_key(WRONG_KEY)  # a key Saleshandy no longer takes
    saleshandy.add_prospect("Ja9Ne0Doe1", email="jane@acme.com", first_name="Jane", key=REP_KEY)
    answers: list[httpx.Response] = []
    raw = driver.raw
    sent_keys: list[bytes] = []

    def record(body: bytes, headers: Any) -> httpx.Response:
        if b"saleshandy_api_key" in body:
            sent_keys.append(body)  # our own request carrying the pasted key, as Slack sends it
        answers.append(raw(body, headers))
        return answers[-1]

    driver.raw = record  # type: ignore[method-assign]
    assert "errors" in connect(app, WRONG_KEY).text
    assert connect(app, REP_KEY).text == ""
    driver.slash_command("call 8PvBmrB7P7 jane@acme.com tomorrow")
    view = opened_view_after(app, lambda: driver.slash_command(""))
    driver.block_suggestion(ids.PROSPECT_PICKER_ACTION_ID, ids.PROSPECT_PICKER_BLOCK_ID, "jane", view)
    saleshandy.fail_next(401, f"Invalid API key {REP_KEY}")
    driver.slash_command("call Gh12Ij34")
    wait_until(lambda: len(thread_replies_with_retry(app)) >= 1, what="a result with a retry button")
    driver.press_button(thread_replies_with_retry(app)[0], ids.RETRY_FAILED_ACTION_ID)
    wait_for_creates(saleshandy, 3)
    home = open_home(app)
    press_in_home(app, home, ids.HOME_DISCONNECT_ACTION_ID)
    wait_until(lambda: "Connect Saleshandy" in str(slack.home("U123")), what="disconnected")
    app.drain()  # nothing still on its way when the search starts

    assert sent_keys and len([r for r in saleshandy.requests if r.headers["x-api-key"] == REP_KEY]) >= 4
    places: list[tuple[str, str]] = list(every_log.texts())
    places += [(f"Slack {c.method} params", repr(c.params)) for c in slack.calls()]
    places += [(f"Slack {c.method} answer", repr(c.response)) for c in slack.calls()]
    places += [(f"Home tab {v['id']}", repr(v)) for v in slack.views()]
    for request in saleshandy.requests:
        others = {k: v for k, v in request.headers.items() if k != "x-api-key"}
        places += [
            (f"Saleshandy {request.path} headers", repr(others)),
            (f"Saleshandy {request.path} body", request.raw_body.decode(errors="replace")),
        ]
    places += [(f"answer {r.status_code} to Slack", r.text + repr(dict(r.headers))) for r in answers]
    places += [("repr of the app's deps", repr(app.app.slack_app.deps))]
    found = [
        f"{name} in {where}"
        for where, text in places
        for name, secret in REP_SECRETS.items()
        if secret in text
    ]
    assert found == []


# ---- many workspaces: the client secret and the bot tokens an install hands out ---------------------------

OAUTH_SECRET = "oauth-client-secret-4b8e2d6a19c7"


@pytest.mark.parametrize(
    "running_app",
    [{
        "slack_bot_token": None,
        "slack_client_id": "1111.2222",
        "slack_client_secret": OAUTH_SECRET,
        "saleshandy_api_key": None,
        "encryption_keys": ENCRYPTION_KEY,
    }],
    indirect=True,
)
def test_no_installation_token_or_client_secret_leaves_by_any_door(
    every_log: Everything, running_app: RunningApp
) -> None:
    from bot_testing.slack_driver import SlackDriver
    from tests.helpers.oauth import connect, install

    app, slack = running_app, running_app.slack
    token = install(app, "T0SECRET1", "code-secret")
    slack.add_user("U0SECRET", name="sam")
    app.saleshandy.add_key(REP_KEY)
    with SlackDriver(app.url, SLACK_SIGNING_SECRET, slack, team_id="T0SECRET1") as driver:
        connect(app, driver, "U0SECRET", REP_KEY)
        driver.slash_command("call 8PvBmrB7P7 tomorrow", user_id="U0SECRET")
        slack.wait_for("chat.postMessage", count=2)
    app.drain()  # nothing still on its way when the search starts
    assert {c.team for c in slack.calls("chat.postMessage")} == {"T0SECRET1"}

    secrets = {"a workspace's bot token": token, "the OAuth client secret": OAUTH_SECRET,
               "part of a bot token": token.rsplit("-", 1)[-1], "a rep's key": REP_KEY}
    places: list[tuple[str, str]] = list(every_log.texts())
    # oauth.v2.access hands the token out: its answer is the one place it belongs (to the app alone).
    calls = [c for c in slack.calls() if c.method != "oauth.v2.access"]
    places += [(f"Slack {c.method} params", repr(c.params)) for c in calls]
    places += [(f"Slack {c.method} answer", repr(c.response)) for c in calls]
    found = sorted(
        {f"{name} in {where}" for where, text in places for name, secret in secrets.items() if secret in text}
    )
    assert found == [], found
