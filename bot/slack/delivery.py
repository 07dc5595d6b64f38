"""Getting results to the rep, whatever Slack says: the thread, else the rep's DM with the app (with a
pointer to it where the rep acted), else the response_url."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.slack.blocks.notices import build_redirected_results_intro, build_results_moved_pointer

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

SLACK_HAD_A_PROBLEM = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "unreachable"}
)
"""Slack's own trouble (a rate limit outlasting the client's retries, an outage): the channel may take
posts again later, but the results cannot wait for that, so they too go to the rep another way."""

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
    response_url_posts: int = 0
    """Posts already made to `response_url`: what would not fit in the rest of its five goes by DM."""
    assumed_zone: str | None = None
    """The zone "today" was read in when Slack never told the rep's (the parent message says so)."""
    team_id: str | None = None
    """The workspace (many workspaces: whose bot token posts)."""
    enterprise_id: str | None = None
    """The workspace's Enterprise Grid org, if any (its installation may be the org's)."""
    is_enterprise_install: bool = False
    """The app is installed org-wide: the org's bot token posts."""
    function_execution_id: str | None = None
    """A Workflow Builder step waits on these results: it is completed once they are all posted."""

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
            response_url_posts=data.get("response_url_posts", 0),
            assumed_zone=data.get("assumed_zone"),
            team_id=data.get("team_id"),
            enterprise_id=data.get("enterprise_id"),
            is_enterprise_install=bool(data.get("is_enterprise_install", False)),
            function_execution_id=data.get("function_execution_id"),
        )


ForTeam = Callable[[str, str | None, bool], WebClient]
"""Many workspaces: the client with the bot token of (team id, its Grid org's id, installed org-wide)."""


class Delivery:
    """Posts a submission's messages; says where they went so a retry can report in the same place."""

    def __init__(self, client: WebClient, *, for_team: ForTeam | None = None) -> None:
        self._default_client = client
        self._for_team = for_team
        """Many workspaces: the client with the bot token of the team a submission belongs to."""

    def client_for(self, reply_to: ReplyTo) -> WebClient:
        """The client with the bot token of the workspace `reply_to` belongs to."""
        return self._client(reply_to)

    def _client(self, reply_to: ReplyTo) -> WebClient:
        if self._for_team is not None and reply_to.team_id:
            return self._for_team(reply_to.team_id, reply_to.enterprise_id, reply_to.is_enterprise_install)
        return self._default_client

    def deliver(
        self,
        reply_to: ReplyTo,
        messages: list[dict[str, Any]],
        *,
        parent: dict[str, Any] | None = None,
        fall_back: bool = True,
    ) -> ReplyTo:
        """Post `parent` (whose ts becomes the thread) and `messages` where `reply_to` says; whatever
        Slack refuses goes to the rep's DM instead (else the response_url), unless `fall_back` is False."""
        if not reply_to.in_channel:
            return self._to_the_rep(reply_to, [*([parent] if parent else []), *messages])
        unsent = [*([parent] if parent is not None else []), *messages]
        try:
            if parent is not None:
                posted = self._client(reply_to).chat_postMessage(channel=reply_to.channel, **parent)
                # Posted to a member's ID, the parent lands in the DM: its thread is in that channel.
                reply_to = replace(
                    reply_to, channel=posted.get("channel") or reply_to.channel, thread_ts=posted["ts"]
                )
                unsent.pop(0)
            while unsent:
                self._client(reply_to).chat_postMessage(
                    channel=reply_to.channel, thread_ts=reply_to.thread_ts, **unsent[0]
                )
                unsent.pop(0)
            return reply_to
        except (SlackApiError, OSError) as error:
            # OSError: the connection itself failed (urllib's URLError, a timeout, a reset).
            reason = str(error.response.get("error")) if isinstance(error, SlackApiError) else "unreachable"
            if not fall_back:
                raise
            if reason in CANNOT_POST_HERE | SLACK_HAD_A_PROBLEM:
                logger.info("cannot post in %s (%s); sending results to the rep", reply_to.channel, reason)
            else:
                # A revoked token, a refused message: unexpected, but the rep still gets the results.
                logger.error("Slack refused to post results in %s: %s", reply_to.channel, reason)
            intro = build_redirected_results_intro(reply_to.channel, reason)
            # Only what did not reach the channel: whatever was posted there stays, and is not repeated.
            return self._redirect(reply_to, [intro, *unsent])

    def _redirect(self, reply_to: ReplyTo, messages: list[dict[str, Any]]) -> ReplyTo:
        """What the channel refused, kept in the rep's DM with the app (an ephemeral message is gone on
        reload, and its Retry button with it); where the rep acted, a one-line pointer to the DM. The DM
        is where later posts go (a retry's results too), so nothing is redirected, or pointed to, twice."""
        try:
            direct = self._by_direct_message(reply_to, messages)
        except (SlackApiError, OSError) as error:
            reason = str(error.response.get("error")) if isinstance(error, SlackApiError) else "unreachable"
            logger.warning("could not send results to the rep's DM either (%s)", reason)
            privately = self._by_response_url_if_it_fits(reply_to, messages)  # better than nothing
            if privately is None:
                raise
            return privately
        self._point_to(direct, reply_to)
        return direct

    def _point_to(self, direct: ReplyTo, reply_to: ReplyTo) -> None:
        """Tell the rep, where they acted, that their results are in the DM (a courtesy: they are safe)."""
        if not reply_to.response_url or reply_to.response_url_posts >= RESPONSE_URL_MAX_POSTS:
            return
        pointer = build_results_moved_pointer(direct.channel, team_id=reply_to.team_id)
        try:
            self._by_response_url(reply_to.response_url, [pointer])
        except OSError:
            logger.info("could not point the rep to their DM (the response_url is unreachable)")

    def _to_the_rep(self, reply_to: ReplyTo, messages: list[dict[str, Any]]) -> ReplyTo:
        """Messages for the rep alone: by the response_url where they acted, else by DM."""
        privately = self._by_response_url_if_it_fits(reply_to, messages)
        return privately or self._by_direct_message(reply_to, messages)

    def _by_response_url_if_it_fits(
        self, reply_to: ReplyTo, messages: list[dict[str, Any]]
    ) -> ReplyTo | None:
        """`messages` posted by the response_url (shown to the rep alone, until they reload), if they all
        fit in what is left of its five posts; where later posts go then, or None."""
        # Counting earlier posts (an announcement before the results) keeps results from going half by
        # response_url and then, when Slack refuses the sixth post, all over again by DM.
        posts = reply_to.response_url_posts + len(messages)
        if (
            reply_to.response_url
            and posts <= RESPONSE_URL_MAX_POSTS
            and self._by_response_url(reply_to.response_url, messages)
        ):
            return replace(reply_to, in_channel=False, response_url_posts=posts)
        return None

    def _by_response_url(self, url: str, messages: list[dict[str, Any]]) -> bool:
        webhook = WebhookClient(url)
        for message in messages:
            response = webhook.send_dict({**message, "response_type": "ephemeral"})
            if response.status_code != 200:
                logger.info("response_url refused the results (HTTP %s)", response.status_code)
                return False
        return True

    def _by_direct_message(self, reply_to: ReplyTo, messages: list[dict[str, Any]]) -> ReplyTo:
        opened = self._client(reply_to).conversations_open(users=reply_to.user)
        direct = ReplyTo(
            channel=opened["channel"]["id"],
            user=reply_to.user,
            team_id=reply_to.team_id,
            enterprise_id=reply_to.enterprise_id,
            is_enterprise_install=reply_to.is_enterprise_install,
            function_execution_id=reply_to.function_execution_id,
        )
        first, *rest = messages
        return self.deliver(direct, rest, parent=first, fall_back=False)  # the last resort: no loop
