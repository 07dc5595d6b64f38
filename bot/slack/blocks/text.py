"""Putting user text into mrkdwn safely, and within a length."""

from bot.parsing.clean_text import ELLIPSIS, cut


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as control characters, so user text can't ping
    `<!channel>`, mention `<@U…>` or forge `<https://evil|a link>`; `&` first, so nothing is
    escaped twice."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_within(text: str, limit: int) -> str:
    """`text` escaped for mrkdwn in at most `limit` characters: shortened before it is escaped, so an
    entity (`&amp;`) is never cut in half."""
    escaped = escape_mrkdwn(text)
    if len(escaped) <= limit:
        return escaped
    room = limit - len(ELLIPSIS)
    kept = 0
    for char in text:
        room -= len(escape_mrkdwn(char))
        if room < 0:
            break
        kept += 1
    return escape_mrkdwn(cut(text, kept))
