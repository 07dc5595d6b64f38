"""Requests Slack would never send, or would send once: replays, oversized and malformed bodies. Each is
refused or does nothing new, creates nothing (twice), and the app serves the next request.

(Unsigned, badly signed and stale requests are in test_security.py.)"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from slack_sdk import WebClient

from bot.service import RetryRefused
from bot.slack import ids
from bot.slack.blocks.results import WHY_NOT_RETRIED
from bot.slack.server import MAX_BODY_BYTES
from bot_testing.slack import FakeSlack
from bot_testing.slack_driver import FORM_CONTENT_TYPE, element_action, fill_view, interaction_body
from tests.e2e.conftest import (
    SLACK_SIGNING_SECRET,
    RunningApp,
    app_calls,
    message_text,
    opened_view,
    text_objects,
    wait_for_creates,
)
from tests.helpers.faults import assert_next_command_works, assert_no_task_twice
from tests.helpers.slack_app import dm_posts

ALREADY_RETRIED = WHY_NOT_RETRIED[RetryRefused.ALREADY_RETRIED]


def signed(body: bytes, *, content_type: str = FORM_CONTENT_TYPE) -> dict[str, str]:
    """Slack's v0 signature over any bytes (the driver's signer needs UTF-8)."""
    stamp = str(int(time.time()))
    digest = hmac.new(SLACK_SIGNING_SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


def send_concurrently(app: RunningApp, body: bytes, headers: dict[str, str], times: int) -> list[int]:
    statuses: list[int] = []

    def send() -> None:
        statuses.append(app.driver.raw(body, headers).status_code)

    threads = [threading.Thread(target=send) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


# ---- replays: Slack's signature is valid for five minutes, so the app itself must not act twice -------


def test_a_replayed_command_creates_its_tasks_once(running_app: RunningApp) -> None:
    """The same signed request again (at once, and later): keyed by its trigger_id, it is one command."""
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    body = urlencode(driver.slash_command_fields("call 8PvBmrB7P7 Pr9xQ2Lm")).encode()
    headers = driver.signed_headers(body)

    assert send_concurrently(running_app, body, headers, 3) == [200, 200, 200]
    slack.wait_for("chat.postMessage", count=2)
    assert driver.raw(body, headers).status_code == 200  # and once more, after the results
    running_app.drain()

    assert len(saleshandy.create_requests) == 1
    assert sorted(t.prospect_id for t in saleshandy.tasks) == ["8PvBmrB7P7", "Pr9xQ2Lm"]
    assert len(slack.calls("chat.postMessage")) == 2  # one parent, one reply: the replays say nothing
    assert slack.calls("response_url") == []
    assert_next_command_works(running_app)


def test_a_replayed_form_submission_is_a_double_submit(running_app: RunningApp) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    driver.slash_command("")
    view = opened_view(slack)
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: "13", ids.PROSPECTS_ACTION_ID: "8PvBmrB7P7"})
    body = interaction_body(driver.view_submission_payload(view, values))
    headers = driver.signed_headers(body)

    assert driver.raw(body, headers).text == ""
    slack.wait_for("chat.postMessage", count=2)
    replay = driver.raw(body, headers)
    assert replay.status_code == 200 and replay.text == ""  # the modal is long closed; nothing to show
    running_app.drain()

    assert len(saleshandy.create_requests) == 1
    assert len(slack.calls("chat.postMessage")) == 2
    assert_next_command_works(running_app)


def test_a_replayed_retry_click_retries_once(running_app: RunningApp) -> None:
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    saleshandy.fail_next(503)
    driver.slash_command("call 8PvBmrB7P7")
    _, reply = slack.wait_for("chat.postMessage", count=2)
    message = next(m for m in slack.messages("C123") if m["ts"] == reply.response_json["ts"])
    action = element_action(message["blocks"], ids.RETRY_FAILED_ACTION_ID)
    body = interaction_body(driver.block_action_payload(action, message=message))
    headers = driver.signed_headers(body)

    assert send_concurrently(running_app, body, headers, 2) == [200, 200]
    slack.wait_for("chat.postMessage", count=3)
    told = slack.wait_for("response_url", count=2)
    assert sorted(ALREADY_RETRIED in message_text(t.params) for t in told) == [False, True]

    assert [r.body["prospectIds"] for r in saleshandy.create_requests] == [["8PvBmrB7P7"]] * 2
    assert [t.prospect_id for t in saleshandy.tasks] == ["8PvBmrB7P7"]
    assert_next_command_works(running_app)


def test_a_replayed_command_that_opens_the_form_opens_it_once(running_app: RunningApp) -> None:
    slack, driver = running_app.slack, running_app.driver
    body = urlencode(driver.slash_command_fields("call tomorrow")).encode()
    headers = driver.signed_headers(body)

    assert driver.raw(body, headers).status_code == 200
    slack.wait_for("views.open")
    assert driver.raw(body, headers).status_code == 200
    opened = slack.wait_for("views.open", count=2)

    assert [c.error for c in opened] == [None, "exchanged_trigger_id"]  # Slack spends a trigger once
    assert len(slack.views()) == 1
    (told,) = slack.wait_for("response_url")  # the replay only earns the rep a harmless private line
    assert "Slack did not let me open the task form" in message_text(told.params)
    assert running_app.saleshandy.requests == []


# ---- sizes and lengths --------------------------------------------------------------------------------


def raw_exchange(app: RunningApp, head: bytes, body: bytes = b"") -> bytes:
    """Send exactly these bytes; the answer, or what came before the server stopped talking (2 s)."""
    url = urlsplit(app.url)
    with socket.create_connection((url.hostname, url.port), timeout=2) as connection:
        connection.sendall(head + body)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except TimeoutError:
            pass
    return answer


def test_a_body_over_a_megabyte_is_refused_with_413_and_nothing_runs(running_app: RunningApp) -> None:
    driver = running_app.driver
    fields = driver.slash_command_fields("call 8PvBmrB7P7 note: " + "x" * (MAX_BODY_BYTES + 1))
    body = urlencode(fields).encode()
    assert len(body) > MAX_BODY_BYTES

    response = driver.send(body)

    assert response.status_code == 413
    running_app.drain()
    assert running_app.saleshandy.requests == [] and app_calls(running_app.slack) == []
    assert_next_command_works(running_app)


def test_an_oversized_body_is_refused_before_it_is_read(running_app: RunningApp) -> None:
    """The header alone decides: the server answers without waiting for megabytes that never come."""
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: app\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 50000000\r\n\r\n"
    )
    started = time.perf_counter()
    answer = raw_exchange(running_app, head, b"command=%2Ftask")
    assert answer.startswith(b"HTTP/1.0 413") or answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert time.perf_counter() - started < 1.5
    assert_next_command_works(running_app)


@pytest.mark.parametrize("length", [b"-1", b"abc", b"1e3"])
def test_a_content_length_that_is_not_a_length_is_refused_at_once(
    running_app: RunningApp, length: bytes
) -> None:
    """A negative length would have the app read until the client hangs up, holding a thread."""
    head = b"POST /slack/events HTTP/1.1\r\nHost: app\r\nContent-Length: " + length + b"\r\n\r\n"
    started = time.perf_counter()
    answer = raw_exchange(running_app, head, b"command=%2Ftask&text=x")
    assert b" 400 " in answer.split(b"\r\n", 1)[0], answer[:80]
    assert time.perf_counter() - started < 1.5
    assert running_app.saleshandy.requests == []
    assert_next_command_works(running_app)


def test_a_huge_chunked_body_without_a_length_is_refused(running_app: RunningApp) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(32):
            yield b"x" * 65536  # 2 MB, never announced

    body_start = urlencode(running_app.driver.slash_command_fields("call 8PvBmrB7P7")).encode()
    with httpx.Client(timeout=3, trust_env=False) as client:
        response = client.post(
            running_app.driver.url,
            content=iter([body_start, *chunks()]),
            headers=signed(body_start),
        )
    assert 400 <= response.status_code < 500
    running_app.drain()
    assert running_app.saleshandy.requests == []
    assert_next_command_works(running_app)


# ---- malformed bodies, signed or not ------------------------------------------------------------------

MALFORMED: dict[str, tuple[bytes, str]] = {
    "payload that is not JSON": (urlencode({"payload": "{not json"}).encode(), FORM_CONTENT_TYPE),
    "payload that is a list": (urlencode({"payload": "[1, 2]"}).encode(), FORM_CONTENT_TYPE),
    "payload that is a string": (urlencode({"payload": '"hello"'}).encode(), FORM_CONTENT_TYPE),
    "not UTF-8": (b"payload=%7B%7D&text=\xff\xfe\xfa", FORM_CONTENT_TYPE),
    "binary noise": (bytes(range(256)), "application/octet-stream"),
    "empty": (b"", FORM_CONTENT_TYPE),
    "a JSON body of nothing known": (json.dumps({"hello": "world"}).encode(), "application/json"),
    "a view submission without a view type": (
        interaction_body({"type": "view_submission", "user": {"id": "U123"},
                          "view": {"id": "V1", "callback_id": ids.TASK_MODAL_CALLBACK_ID}}),
        FORM_CONTENT_TYPE,
    ),
    "an interaction of an unknown type": (interaction_body({"type": "nonsense"}), FORM_CONTENT_TYPE),
    "another app's command": (
        urlencode({"command": "/other", "text": "call 8PvBmrB7P7", "user_id": "U123"}).encode(),
        FORM_CONTENT_TYPE,
    ),
    "a retry for a submission that never was": (
        interaction_body({
            "type": "block_actions", "user": {"id": "U123"}, "team": {"id": "T0001"},
            "actions": [{"type": "button", "action_id": "not-ours", "value": "x"}],
        }),
        FORM_CONTENT_TYPE,
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_body_is_refused_signed_or_not_and_nothing_is_created(
    running_app: RunningApp, case: str
) -> None:
    body, content_type = MALFORMED[case]
    unsigned = running_app.driver.raw(body, {"Content-Type": content_type})
    with_signature = running_app.driver.raw(body, signed(body, content_type=content_type))

    assert 400 <= unsigned.status_code < 500, unsigned.text
    assert 400 <= with_signature.status_code < 500, with_signature.text
    running_app.drain()
    assert running_app.saleshandy.requests == []
    assert app_calls(running_app.slack) == []
    assert_next_command_works(running_app)
    assert_no_task_twice(running_app.saleshandy)


def test_the_malformed_bodies_are_refused_only_for_being_malformed(running_app: RunningApp) -> None:
    """The same signer on a well-formed command: accepted, so the refusals above are about the bodies."""
    body = urlencode(running_app.driver.slash_command_fields("call 8PvBmrB7P7")).encode()
    assert running_app.driver.raw(body, signed(body)).status_code == 200
    wait_for_creates(running_app.saleshandy, 1)
    running_app.slack.wait_for("chat.postMessage", count=2)  # done: nothing left running


# ---- mrkdwn injection where test_escaping.py does not look: error headlines, fallbacks, retries, API text --

_SPAN = re.compile(r"<[^<>]*>")
ALLOWED_SPANS = re.compile(
    r"<@U123>|<#C123>|<https://my\.saleshandy\.com/prospects/\w+\|[^<>]*>"
    r"|<https://slack\.com/app_redirect\?channel=D\w+(&team=T\w+)?\|your DM with Saleshandy Tasks>"
)
"""The only markup the app may send: the rep's mention, the channel, a prospect's link, the link to the
rep's DM with the app."""


def markup_sent(slack: FakeSlack) -> list[str]:
    """Every `<…>` span the app sent where Slack renders markup, but the allowed ones."""
    found: list[str] = []
    for call in slack.calls():
        if call.method in ("auth.test", "users.info", "conversations.open", "views.open"):
            continue  # no message text (views: plain_text notices, checked by test_escaping)
        texts = [str(call.params.get("text") or "")]
        texts += [text for kind, text in text_objects(call.params.get("blocks") or []) if kind == "mrkdwn"]
        for text in texts:
            spans = [span for span in _SPAN.findall(text) if not ALLOWED_SPANS.fullmatch(span)]
            found += [f"{call.method}: {span}" for span in spans]
    return found


EVIL_NOTE = "<!channel> <!here> <@U999> <https://evil.example.com|click> &"
EVIL_COMMAND = (
    "call 8PvBmrB7P7 <https://my.saleshandy.com/prospects/Pr9xQ2Lm|&lt;!everyone&gt; &lt;@U999&gt;> "
    "note: <!channel> &lt;!here&gt; &lt;@U999&gt; &lt;https://evil.example.com|click&gt; &amp;"
)


def test_an_error_headline_echoing_the_note_in_results_sent_privately_pings_nobody(
    running_app: RunningApp,
) -> None:
    """Saleshandy's 400 repeats the note (APIs do); the channel refuses the app, so the parent, the
    headline and each line go to the rep's DM; the retry reports there too. None carries markup."""
    slack, saleshandy, driver = running_app.slack, running_app.saleshandy, running_app.driver
    slack.set_bot_not_in("C123")
    saleshandy.fail_next(400, [f"taskNote {EVIL_NOTE} is not allowed"])
    driver.slash_command(EVIL_COMMAND)

    (create,) = wait_for_creates(saleshandy, 1)
    assert create.body["taskNote"] == "@channel <!here> <@U999> <https://evil.example.com|click> &"
    intro, parent, results = dm_posts(slack, at_least=3)
    assert "couldn't post in <#C123>" in intro.params["text"]
    assert "@channel <!here> <@U999>" in message_text(parent.params)  # the note: in a plain_text object
    shown = message_text(results.params)
    headline = (
        "taskNote &lt;!channel&gt; &lt;!here&gt; &lt;@U999&gt; &lt;https://evil.example.com|click&gt; &amp; "
        "is not allowed"
    )
    assert headline in results.params["text"]  # the notification
    assert headline in message_text({"blocks": results.params["blocks"]})
    assert "|&lt;!everyone&gt; &lt;@U999&gt;>*" in shown  # the link label, in the prospect's line

    dm = intro.params["channel"]
    (message,) = [m for m in slack.messages(dm) if ids.RETRY_FAILED_ACTION_ID in str(m.get("blocks"))]
    driver.press_button(message, ids.RETRY_FAILED_ACTION_ID, channel_id=dm)
    retried = dm_posts(slack, at_least=4)[-1]
    assert "Retry: 2 created" in message_text(retried.params)
    assert "&lt;!everyone&gt;" in message_text(retried.params)
    assert markup_sent(slack) == []


def test_text_from_saleshandys_answer_pings_nobody(running_app: RunningApp) -> None:
    """Task ids and reasons come from the API, not from the rep, and are escaped all the same."""
    slack = running_app.slack
    answer = {"message": "ok", "payload": {"results": [
        {"prospectId": "8PvBmrB7P7", "taskId": "<!channel>", "success": True},
        {"prospectId": "Pr9xQ2Lm", "taskId": "<https://evil.example.com|x>", "success": True},
    ]}}
    running_app.saleshandy.answer_next_raw(json.dumps(answer), status=201, content_type="application/json")
    running_app.driver.slash_command("call 8PvBmrB7P7 Pr9xQ2Lm")

    _, reply = slack.wait_for("chat.postMessage", count=2)
    shown = message_text(reply.params)
    assert "task &lt;!channel&gt;" in shown and "task &lt;https://evil.example.com|x&gt;" in shown
    assert markup_sent(slack) == []


def test_the_markup_check_sees_what_it_must_refuse(running_app: RunningApp) -> None:
    client = WebClient(token=running_app.slack.bot_token, base_url=running_app.slack.api_url)
    client.chat_postMessage(channel="C123", text="<@U123> <#C123> <https://my.saleshandy.com/prospects/Ab1|x>")
    assert markup_sent(running_app.slack) == []
    client.chat_postMessage(channel="C123", text="hi <@U999>")
    assert markup_sent(running_app.slack) == ["chat.postMessage: <@U999>"]
