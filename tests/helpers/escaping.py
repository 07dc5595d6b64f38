"""Finding markup (mentions, forged links) the app sent where Slack renders it."""

from __future__ import annotations

from collections.abc import Iterator

from bot_testing.slack import FakeSlack

NOT_SHOWN = frozenset({"initial_value", "private_metadata", "value"})
"""Fields Slack never renders as markup: an input's text, the modal's memory, a button's value."""


def markup_from_user_text(slack: FakeSlack) -> list[str]:
    """Every `<!…>` (channel, here, everyone) or forged `<http…|…>` the app sent where Slack renders
    markup: top-level `text`, mrkdwn objects, anything but plain_text objects and input values."""
    found: list[str] = []
    for call in slack.calls():
        if call.method in ("auth.test", "users.info", "conversations.open"):
            continue
        found += [f"{call.method} {where}" for where in _markup(call.params, plain=False)]
    return found


def _markup(node: object, *, plain: bool, path: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        is_plain = node.get("type") == "plain_text"
        for key, value in node.items():
            if isinstance(value, str):
                shown_as_markup = not (is_plain and key == "text") and key not in NOT_SHOWN
                if shown_as_markup and ("<!" in value or "<http://evil" in value):
                    yield f"{path}/{key}: {value!r}"
            else:
                yield from _markup(value, plain=is_plain, path=f"{path}/{key}")
    elif isinstance(node, list):
        for n, item in enumerate(node):
            yield from _markup(item, plain=plain, path=f"{path}/{n}")
