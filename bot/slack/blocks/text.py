"""Putting user text into mrkdwn safely."""


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as control characters, so user text can't ping
    `<!channel>`, mention `<@U…>` or forge `<https://evil|a link>`; `&` first, so nothing is
    escaped twice."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
