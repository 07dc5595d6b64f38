"""User text echoed into Slack is escaped: a note, a link label or a stray word of `<!channel>` never pings
anyone, wherever it is shown (issue path 11)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.slack import ids
from bot_testing.slack_driver import fill_view
from tests.e2e.conftest import (
    CHANNEL,
    RunningApp,
    message_text,
    opened_view,
    rich_text,
    wait_for_creates,
)
from tests.helpers.escaping import markup_from_user_text

EVIL_LINK = "<http://evil.example.com|click me>"


def test_a_command_full_of_mentions_pings_nobody(running_app: RunningApp) -> None:
    slack = running_app.slack
    # As Slack sends them: a real @channel is `<!channel>`; a typed "<!here>" arrives escaped.
    running_app.driver.slash_command(
        "call 8PvBmrB7P7 <https://my.saleshandy.com/prospects/Pr9xQ2Lm|&lt;!channel&gt; boss> INVALIDcc3 "
        "note: <!channel> &lt;!here&gt; &lt;!everyone&gt; &lt;http://evil.example.com|click me&gt;"
    )

    (create,) = wait_for_creates(running_app.saleshandy, 1)
    assert create.body["taskNote"] == f"@channel <!here> <!everyone> {EVIL_LINK}"  # plain text, as typed
    parent, reply = slack.wait_for("chat.postMessage", count=2)
    assert "<!here> <!everyone>" in message_text(parent.params)  # shown, in a plain_text object
    assert "Pr9xQ2Lm|&lt;!channel&gt; boss>*" in message_text(reply.params)  # the link label, escaped
    assert markup_from_user_text(slack) == []


def test_a_form_note_and_a_message_link_label_ping_nobody(running_app: RunningApp) -> None:
    slack, driver = running_app.slack, running_app.driver
    message = slack.add_message(
        CHANNEL,
        "<https://my.saleshandy.com/prospects/Pr9xQ2Lm|&lt;!here&gt;>",
        blocks=rich_text(
            {"type": "link", "url": "https://my.saleshandy.com/prospects/AbC123xyz9", "text": "<!channel>"}
        ),
        attachments=[{"from_url": "https://my.saleshandy.com/prospects/ZzTop98765", "title": "<!everyone>"}],
    )
    driver.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)
    view = opened_view(slack)
    values = fill_view(
        view,
        {ids.TASK_TYPE_ACTION_ID: "3", ids.NOTE_ACTION_ID: f"<!channel> look {EVIL_LINK} & <@U123>"},
    )
    assert driver.view_submission(view, values).text == ""

    (create,) = wait_for_creates(running_app.saleshandy, 1)
    assert create.body["taskNote"] == f"<!channel> look {EVIL_LINK} & <@U123>"
    (reply,) = slack.wait_for("chat.postMessage")
    shown = message_text(reply.params)
    assert "&lt;!here&gt;" in shown and "&lt;!channel&gt;" in shown and "&lt;!everyone&gt;" in shown
    assert markup_from_user_text(slack) == []


def test_words_the_form_cannot_read_are_quoted_back_without_markup(running_app: RunningApp) -> None:
    slack, driver = running_app.slack, running_app.driver
    driver.slash_command("demo <!channel> 8PvBmrB7P7 &lt;!here&gt;")

    view = opened_view(slack)
    notices = view["blocks"][0]
    assert notices["block_id"] == ids.MODAL_NOTICES_BLOCK_ID and notices["text"]["type"] == "plain_text"
    running_app.drain()
    assert running_app.saleshandy.requests == []
    assert markup_from_user_text(slack) == []


def test_the_check_itself_finds_a_ping(running_app: RunningApp) -> None:
    """The check above would see a ping if one were sent (here, by the test itself)."""
    client = WebClient(token=running_app.slack.bot_token, base_url=running_app.slack.api_url)
    ping = {"type": "section", "text": {"type": "mrkdwn", "text": "<!here>"}}
    client.chat_postMessage(channel=CHANNEL, text="hi", blocks=[ping])
    assert markup_from_user_text(running_app.slack) == ["chat.postMessage /blocks/0/text/text: '<!here>'"]
