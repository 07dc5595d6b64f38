import pytest

from bot.parsing.slack_text import slack_to_plain_text


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("see <https://acme.com/deck|the deck>", "see the deck (https://acme.com/deck)"),
        ("see <https://acme.com/deck>", "see https://acme.com/deck"),
        ("ask <@U123|ann> and <@U456>", "ask @ann and @U456"),
        ("in <#C123|deals>", "in #deals"),
        ("<!here> <!channel>", "@here @channel"),
        ("<!subteam^S1|@sales>", "@sales"),
        ("mail <mailto:jane@acme.com|jane@acme.com>", "mail jane@acme.com"),
        ("Q&amp;A &lt;soon&gt;", "Q&A <soon>"),
        ("a &amp;lt; b", "a &lt; b"),
        ("plain text", "plain text"),
    ],
)
def test_markup_becomes_readable_plain_text(markup: str, plain: str) -> None:
    assert slack_to_plain_text(markup) == plain


def test_known_user_names_replace_bare_mentions() -> None:
    assert slack_to_plain_text("call <@U456>", user_names={"U456": "bob"}) == "call @bob"
