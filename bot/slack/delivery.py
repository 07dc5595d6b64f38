"""Getting results to the rep, whatever Slack says: the thread, else the response_url, else a DM."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.slack.blocks.notices import build_redirected_results_intro

logger = logging.getLogger(__name__)

CANNOT_POST_HERE = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "cannot_reply_to_message",
        "thread_not_found",
    }
)
"""Errors that mean "not in this channel", never "not at all": the results go to the rep another way."""

RESPONSE_URL_MAX_POSTS = 5
"""Slack accepts five posts per response_url; more results than that go by DM, whole."""


@dataclass(frozen=True)
class ReplyTo:
    """Where a submission's results go: a channel (and thread), the rep, and the rep's response_url."""

    channel: str
    user: str
    thread_ts: str | None = None
    response_url: str | None = None
    in_channel: bool = True
    """False once Slack refused the channel: later results (a retry) go straight to the rep."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReplyTo:
        return cls(
            channel=data["channel"],
            user=data["user"],
            thread_ts=data.get("thread_ts"),
            response_url=data.get("response_url"),
            in_channel=data.get("in_channel", True),
        )


class Delivery:
    """Posts a submission's messages; says where they went so a retry can report in the same place."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def deliver(
        self, reply_to: ReplyTo, messages: list[dict[str, Any]], *, parent: dict[str, Any] | None = None
    ) -> ReplyTo:
        if not reply_to.in_channel:
            return self._to_the_rep(reply_to, [*([parent] if parent else []), *messages])
        try:
            if parent is not None:
                posted = self._client.chat_postMessage(channel=reply_to.channel, **parent)
                reply_to = replace(reply_to, thread_ts=posted["ts"])
            for message in messages:
                self._client.chat_postMessage(
                    channel=reply_to.channel, thread_ts=reply_to.thread_ts, **message
                )
            return reply_to
        except SlackApiError as error:
            reason = str(error.response.get("error"))
            if reason not in CANNOT_POST_HERE:
                logger.error("Slack refused to post results in %s: %s", reply_to.channel, reason)
                raise
            logger.info("cannot post in %s (%s); sending results to the rep", reply_to.channel, reason)
            intro = build_redirected_results_intro(reply_to.channel, reason)
            return self._to_the_rep(reply_to, [intro, *([parent] if parent else []), *messages])

    def _to_the_rep(self, reply_to: ReplyTo, messages: list[dict[str, Any]]) -> ReplyTo:
        if reply_to.response_url and self._by_response_url(reply_to.response_url, messages):
            return replace(reply_to, in_channel=False)
        return self._by_direct_message(reply_to, messages)

    def _by_response_url(self, url: str, messages: list[dict[str, Any]]) -> bool:
        if len(messages) > RESPONSE_URL_MAX_POSTS:
            return False
        webhook = WebhookClient(url)
        for message in messages:
            response = webhook.send_dict({**message, "response_type": "ephemeral"})
            if response.status_code != 200:
                logger.info("response_url refused the results (HTTP %s)", response.status_code)
                return False
        return True

    def _by_direct_message(self, reply_to: ReplyTo, messages: list[dict[str, Any]]) -> ReplyTo:
        opened = self._client.conversations_open(users=reply_to.user)
        direct = ReplyTo(channel=opened["channel"]["id"], user=reply_to.user)
        first, *rest = messages
        return self.deliver(direct, rest, parent=first)
