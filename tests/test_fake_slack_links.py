"""The fake Slack's links and conversations, through slack_sdk's own WebClient: chat.unfurl checked as Slack
checks it (only links a link_shared named and the message holds, valid blocks, a message or an unfurl_id),
conversations a bot is not in, Slack Connect channels; and the driver's link_shared and retried events,
through a bare Bolt app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.wsgi_server import serve_wsgi
from bot_testing.slack import FakeSlack
from bot_testing.slack_driver import SlackDriver

TOKEN = "xoxb-test"
SECRET = "links-signing-secret"
ANN = "https://my.saleshandy.com/prospects/aN7kQ2xLm4"
OTHER = "https://www.example.com/a"
PREVIEW = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "`aN7kQ2xLm4`"}}]}


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


def shared_message(fake: FakeSlack) -> dict[str, Any]:
    message = fake.add_message("C1", f"see <{ANN}|Ann> and <{OTHER}>")
    fake.share_links("C1", message["ts"], [ANN])
    return message


def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_an_unfurl_of_a_shared_link_is_shown_under_its_message_and_replaced_by_the_next(
    fake: FakeSlack, client: WebClient
) -> None:
    message = shared_message(fake)
    client.chat_unfurl(channel="C1", ts=message["ts"], unfurls={ANN: PREVIEW})
    assert fake.unfurls("C1", message["ts"]) == {ANN: {**PREVIEW, "fallback": ANN}}

    second = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "again"}}]}
    client.chat_unfurl(channel="C1", ts=message["ts"], unfurls={ANN: second})
    (shown,) = fake.unfurls("C1", message["ts"]).values()
    assert shown["blocks"] == second["blocks"]  # replaced, not added
    (attachment,) = fake.messages("C1")[0]["attachments"]
    assert attachment["is_app_unfurl"] is True and attachment["app_unfurl_url"] == ANN


def test_chat_unfurl_is_refused_as_slack_refuses_it(fake: FakeSlack, client: WebClient) -> None:
    message = shared_message(fake)
    ts = message["ts"]
    assert error_of(lambda: client.chat_unfurl(channel="C1", ts=ts, unfurls={OTHER: PREVIEW})) == (
        "cannot_unfurl_url"  # in the message, but no link_shared named it
    )
    elsewhere = "https://my.saleshandy.com/prospects/Zz9Yy8Xx7W"
    assert error_of(lambda: client.chat_unfurl(channel="C1", ts=ts, unfurls={elsewhere: PREVIEW})) == (
        "cannot_unfurl_message"
    )
    assert error_of(lambda: client.chat_unfurl(channel="C1", ts="1.000001", unfurls={ANN: PREVIEW})) == (
        "cannot_find_message"
    )
    assert error_of(lambda: client.chat_unfurl(channel="C1", ts=ts)) == "missing_unfurls"
    assert error_of(lambda: client.chat_unfurl(ts=ts, unfurls={ANN: PREVIEW})) == "missing_channel"
    bad = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]}
    assert error_of(lambda: client.chat_unfurl(channel="C1", ts=ts, unfurls={ANN: bad})) == "invalid_blocks"
    assert error_of(lambda: client.chat_unfurl(channel="C1", ts=ts, unfurls={ANN: {"color": "#fff"}})) == (
        "cannot_parse_attachment"
    )
    unknown = lambda: client.chat_unfurl(unfurl_id="nope", source="composer", unfurls={ANN: PREVIEW})  # noqa: E731
    assert error_of(unknown) == "invalid_arguments"
    assert fake.unfurls("C1", ts) == {}


def test_links_in_the_message_box_are_unfurled_by_unfurl_id_and_source(
    fake: FakeSlack, client: WebClient
) -> None:
    unfurl_id = fake.share_links(None, None, [ANN])
    wrong_source = lambda: client.chat_unfurl(  # noqa: E731
        unfurl_id=unfurl_id, source="conversations_history", unfurls={ANN: PREVIEW}
    )
    assert error_of(wrong_source) == "invalid_arguments"
    client.chat_unfurl(unfurl_id=unfurl_id, source="composer", unfurls={ANN: PREVIEW})
    assert fake.composer_unfurls(unfurl_id) == {ANN: PREVIEW}

    posted = shared_message(fake)
    posted_id = fake.share_links("C1", posted["ts"], [ANN])
    client.chat_unfurl(unfurl_id=posted_id, source="conversations_history", unfurls={ANN: PREVIEW})
    assert list(fake.unfurls("C1", posted["ts"])) == [ANN]


def test_conversations_the_bot_is_not_in_and_slack_connect_channels(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.add_conversation("D1", kind="im", bot_member=False)
    fake.add_conversation("C9", kind="channel", ext_shared=True)
    fake.add_conversation("C8", kind="channel", ext_shared=True, bot_member=False)
    fake.add_conversation("C7", kind="channel", bot_member=False)

    assert error_of(lambda: client.chat_postMessage(channel="D1", text="hi")) == "channel_not_found"
    assert error_of(lambda: client.chat_postMessage(channel="C8", text="hi")) == "not_in_channel"
    assert client.chat_postMessage(channel="C7", text="hi")["ok"]  # a public channel: chat:write.public
    assert client.chat_postMessage(channel="C9", text="hi")["ok"]  # Slack Connect, the bot a member
    message = fake.add_message("C9", "from a partner", user="UX", team="T0OTHER")
    assert message["team"] == message["user_team"] == "T0OTHER"


def test_the_driver_tells_a_bolt_app_of_links_on_its_domains_and_retries_an_event(fake: FakeSlack) -> None:
    app = App(token=TOKEN, signing_secret=SECRET, client=WebClient(token=TOKEN, base_url=fake.api_url))
    seen: list[tuple[dict[str, Any], str | None]] = []

    def handle_link_shared(event: dict[str, Any], request: BoltRequest) -> None:
        seen.append((event, (request.headers.get("x-slack-retry-num") or [None])[0]))

    app.event("link_shared")(handle_link_shared)
    server, url = serve_wsgi(SlackRequestHandler(app))
    try:
        with SlackDriver(url, SECRET, fake) as driver:
            message = fake.add_message("C1", f"<{ANN}> <{OTHER}> <https://app.saleshandy.com/x/Q1w2E3r4>")
            assert driver.link_shared(message, channel_id="C1").status_code == 200
            envelope = driver.last_payload
            assert driver.deliver_event(envelope, retry_num=1, retry_reason="http_timeout").status_code == 200
    finally:
        server.stop()
    (first, retry_num), (again, retried) = seen
    assert [link["url"] for link in first["links"]] == [ANN, "https://app.saleshandy.com/x/Q1w2E3r4"]
    assert first["message_ts"] == message["ts"] and first["source"] == "conversations_history"
    assert (retry_num, retried, again) == (None, "1", first)
