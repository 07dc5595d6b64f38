"""What the fake Slack workspace holds: members, channels, messages, views, triggers, response_urls,
the links Slack told the app of and its previews of them.

Tests set it up (`add_user`, `add_message`, `set_bot_not_in`…) and look at it (`messages`, `views`…);
the Web API methods (chat.py, conversations.py, views.py, users.py, auth.py) read and change it
with `lock` held.
"""

from __future__ import annotations

import collections
import copy
import secrets
import threading
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot_testing.slack.executions import Executions, FunctionExecution
from bot_testing.slack.installs import Installs
from bot_testing.slack.links import Conversation, SharedLinks, previews_under
from bot_testing.slack.protocol import ApiError, JsonDict, content_of, required

DEFAULT_USER_ID = "U123"
"""A user the fake knows from the start, and the driver's default actor."""


class SocketModeUrls(Protocol):
    def issue_url(self) -> str: ...


@dataclass
class User:
    id: str
    name: str
    real_name: str
    display_name: str
    tz: str | None
    email: str | None
    is_bot: bool = False
    is_admin: bool = False


@dataclass
class Trigger:
    issued_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    channel: str
    user: str
    message_ts: str | None
    issued_at: float
    uses: int = 0


class Workspace:
    """One Slack workspace as the app's bot sees it. Thread-safe."""

    def __init__(
        self,
        *,
        installs: Installs,
        team_id: str,
        team_name: str,
        team_domain: str,
        bot_user_id: str,
        bot_id: str,
        app_id: str,
        clock: Callable[[], float],
        trigger_ttl: float,
        response_url_ttl: float,
        response_url_max_uses: int,
    ) -> None:
        self.installs = installs
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.clock = clock
        self.trigger_ttl = trigger_ttl
        self.response_url_ttl = response_url_ttl
        self.response_url_max_uses = response_url_max_uses
        self.socket_mode_urls: SocketModeUrls | None = None
        """What `apps.connections.open` hands out URLs of (set while Socket Mode is served)."""
        self.executions = Executions(installs)
        """Workflow steps: the app's functions and their runs (thread-safe on their own)."""
        self.lock = threading.RLock()  # guards everything below
        self.users: dict[str, User] = {}
        self.channel_names: dict[str, str] = {}
        self._last_ts_micros = 0
        self.counter = 0
        """Makes ids (views, DMs, triggers) unique."""
        self.reset_content()
        self.add_user(bot_user_id, name="fakebot", real_name="Fake Bot", tz=None, is_bot=True)
        self.add_user(DEFAULT_USER_ID, name="ann", real_name="Ann Example", tz="America/Los_Angeles")

    def reset_content(self) -> None:
        """Forget messages, views, triggers, response_urls, DMs and channel states; keep members."""
        self.executions.reset()
        with self.lock:
            self.messages_by_channel: dict[str, list[JsonDict]] = collections.defaultdict(list)
            self.ephemeral: list[JsonDict] = []
            self.views_by_id: dict[str, JsonDict] = {}
            self.homes: dict[str, str] = {}
            self.triggers: dict[str, Trigger] = {}
            self.last_trigger_id: str | None = None
            self.expired_triggers: set[str] = set()
            self.response_urls: dict[str, ResponseUrl] = {}
            self.not_in: set[str] = set()
            self.missing: set[str] = set()
            self.dms: dict[str, str] = {}
            self.conversations: dict[str, Conversation] = {}
            self.shared_links = SharedLinks()

    # ---- members and channels ---------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str | None = "America/Los_Angeles",
        email: str | None = None,
        is_bot: bool = False,
        is_admin: bool = False,
    ) -> None:
        """Add (or replace) a workspace member; `tz=None` makes a user whose profile has no zone."""
        if tz is not None:
            zoneinfo.ZoneInfo(tz)  # fail here, not inside a request, on a misspelt zone
        name = name or user_id.lower()
        user = User(
            id=user_id,
            name=name,
            real_name=real_name or name.title(),
            display_name=display_name if display_name is not None else name,
            tz=tz,
            email=email,
            is_bot=is_bot,
            is_admin=is_admin,
        )
        with self.lock:
            self.users[user_id] = user

    def user_name(self, user_id: str) -> str:
        """The member's handle (`name`), or the lower-cased id of a member the fake doesn't know."""
        with self.lock:
            user = self.users.get(user_id)
            return user.name if user else user_id.lower()

    def add_channel(self, channel_id: str, name: str) -> None:
        with self.lock:
            self.channel_names[channel_id] = name

    def channel_name(self, channel_id: str) -> str:
        """The name Slack would send as `channel_name` (DMs are "directmessage", as in Slack)."""
        with self.lock:
            if channel_id in self.channel_names:
                return self.channel_names[channel_id]
        if channel_id.startswith("D"):
            return "directmessage"
        if channel_id.startswith("G"):
            return "privategroup"
        return channel_id.lower()

    def add_conversation(
        self,
        channel_id: str,
        *,
        kind: str = "channel",
        bot_member: bool = True,
        ext_shared: bool = False,
        name: str | None = None,
    ) -> None:
        """A conversation of a kind ("channel", "private", "im", "mpim"), the bot in it or not, shared
        with another organisation (Slack Connect) or not; posting follows (see `Conversation.refusal`)."""
        with self.lock:
            self.conversations[channel_id] = Conversation(kind, bot_member, ext_shared)
            if name:
                self.channel_names[channel_id] = name

    def set_bot_not_in(self, channel: str) -> None:
        """Posting or reading history in `channel` answers `not_in_channel` until `set_bot_in`."""
        with self.lock:
            self.not_in.add(channel)

    def set_bot_in(self, channel: str) -> None:
        with self.lock:
            self.not_in.discard(channel)

    def set_missing_channel(self, channel: str) -> None:
        """Every call naming `channel` answers `channel_not_found` until `restore_channel`."""
        with self.lock:
            self.missing.add(channel)

    def restore_channel(self, channel: str) -> None:
        with self.lock:
            self.missing.discard(channel)

    # ---- what interactions carry --------------------------------------------------------------

    def issue_trigger_id(self) -> str:
        """A fresh trigger_id, as in an interaction payload; valid for `trigger_ttl` seconds."""
        with self.lock:
            self.counter += 1
            trigger_id = f"{self.counter}.{int(self.clock())}.{secrets.token_hex(16)}"
            self.triggers[trigger_id] = Trigger(issued_at=self.clock())
            self.last_trigger_id = trigger_id
            return trigger_id

    def expire_trigger(self, trigger_id: str) -> None:
        with self.lock:
            self.expired_triggers.add(trigger_id)

    def issue_response_url_token(self, channel: str, user: str, message_ts: str | None) -> str:
        """The secret last part of a response_url for an interaction by `user` in `channel`."""
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.response_urls[token] = ResponseUrl(
                channel=channel, user=user, message_ts=message_ts, issued_at=self.clock()
            )
        return token

    # ---- messages and views ---------------------------------------------------------------------

    def new_ts(self) -> str:
        """A message ts ("1764300000.000100"), unique and increasing, from the fake's clock."""
        with self.lock:
            micros = max(int(self.clock() * 1_000_000), self._last_ts_micros + 1)
            self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = DEFAULT_USER_ID,
        thread_ts: str | None = None,
        blocks: list[JsonDict] | None = None,
        attachments: list[JsonDict] | None = None,
        team: str | None = None,
    ) -> JsonDict:
        """A message a person posted in `channel` (to run a message shortcut on); returns it. `team`: the
        poster's workspace when it is another one (a Slack Connect channel)."""
        message: JsonDict = {
            "type": "message",
            "user": user,
            "text": text,
            "ts": self.new_ts(),
            "team": team or self.team_id,
            "client_msg_id": secrets.token_hex(16),
            "blocks": blocks if blocks is not None else [_rich_text_block(text)],
        }
        if attachments:
            message["attachments"] = attachments
        if thread_ts:
            message["thread_ts"] = thread_ts
        if team and team != self.team_id:
            message.update(user_team=team, source_team=team)
        with self.lock:
            self.messages_by_channel[channel].append(message)
        return copy.deepcopy(message)

    # ---- links Slack told the app of, and its previews of them ------------------------------------

    def share_links(self, channel: str | None, ts: str | None, urls: list[str]) -> str:
        """Slack is telling the app of `urls` (link_shared) in the message `ts` of `channel`, or, with
        neither, in someone's message box; the unfurl_id it names them by."""
        with self.lock:
            return self.shared_links.share(channel, ts, urls)

    def unfurls(self, channel: str, ts: str) -> dict[str, JsonDict]:
        """The app's previews under the message `ts` of `channel` (what everyone there sees), by URL."""
        with self.lock:
            message = self.find_message(channel, ts)
            return copy.deepcopy(previews_under(message)) if message else {}

    def composer_unfurls(self, unfurl_id: str) -> dict[str, JsonDict]:
        """The app's previews of links still in someone's message box, by URL."""
        with self.lock:
            shared = self.shared_links.get(unfurl_id)
            return copy.deepcopy(shared.previews) if shared else {}

    def messages(self, channel: str) -> list[JsonDict]:
        """Messages now in `channel`, oldest first (bot posts, updates applied, and people's)."""
        with self.lock:
            return copy.deepcopy(self.messages_by_channel.get(channel, []))

    def ephemeral_messages(self) -> list[JsonDict]:
        """What was shown to one person only (response_url answers not posted in the channel)."""
        with self.lock:
            return copy.deepcopy(self.ephemeral)

    def view(self, view_id: str) -> JsonDict:
        """A view as it is now, with its id and hash."""
        with self.lock:
            return copy.deepcopy(self.views_by_id[view_id])

    def home(self, user_id: str) -> JsonDict | None:
        """The Home tab the app published for `user_id` (the latest), or None."""
        with self.lock:
            view_id = self.homes.get(user_id)
            return copy.deepcopy(self.views_by_id[view_id]) if view_id else None

    def views(self) -> list[JsonDict]:
        """Every view opened or published, oldest first, as it is now."""
        with self.lock:
            return copy.deepcopy(list(self.views_by_id.values()))

    # ---- workflow steps ---------------------------------------------------------------------------

    def add_function(self, callback_id: str, definition: JsonDict) -> None:
        """Declare the app's function `callback_id` as its manifest does (`functions.<callback_id>`):
        completions are checked against its `output_parameters`, as Slack checks them."""
        self.executions.define(callback_id, definition)

    def start_function(
        self, callback_id: str, inputs: JsonDict, *, ran_by: str | None = None
    ) -> FunctionExecution:
        """A workflow `ran_by` someone (None: a schedule) runs the step `callback_id` with `inputs`: a
        running execution (the event that tells the app is the driver's `function_executed`); its
        `user_context` inputs are filled from `ran_by`, as Slack fills them."""
        return self.executions.start(callback_id, inputs, ran_by=ran_by)

    def function_definition(self, callback_id: str) -> JsonDict:
        return self.executions.definition(callback_id)

    def function_execution(self, execution_id: str) -> FunctionExecution:
        """The execution as it is now: running, completed (with its outputs) or failed (with its error)."""
        return self.executions.get(execution_id)

    def function_executions(self) -> list[FunctionExecution]:
        return self.executions.all()

    # ---- for the methods (called with `lock` held) -----------------------------------------------

    def resolve_channel(self, params: JsonDict, *, membership: bool = False) -> str:
        """The channel `params` names (a member's id stands for the DM with them), or Slack's error."""
        channel = required(params, "channel", "channel_not_found")
        if channel in self.missing:
            raise ApiError("channel_not_found")
        if channel[:1] in ("U", "W"):  # Slack posts to a member's id in the DM with that member
            if channel not in self.users:
                raise ApiError("channel_not_found")
            dm, _ = self.open_dm([channel])
            return dm
        if membership and channel in self.not_in:
            raise ApiError("not_in_channel")
        refusal = self.conversations[channel].refusal() if channel in self.conversations else None
        if refusal == "channel_not_found" or (membership and refusal):
            raise ApiError(refusal)
        return channel

    def open_dm(self, users: list[str]) -> tuple[str, bool]:
        """The DM (or group DM) with `users`, and whether it was open already."""
        for user in users:
            if user not in self.users:
                raise ApiError("user_not_found")
        key = ",".join(sorted(users))
        already_open = key in self.dms
        if not already_open:
            self.counter += 1
            prefix = "D" if len(users) == 1 else "G"
            self.dms[key] = f"{prefix}{self.counter:09d}"
        return self.dms[key], already_open

    def bot_message(self, content: JsonDict) -> JsonDict:
        """A message the app's bot posts with this content."""
        return {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": "",
            **content_of(content),
            "ts": self.new_ts(),
        }

    def find_message(self, channel: str, ts: str | None) -> JsonDict | None:
        for message in self.messages_by_channel.get(channel, []):
            if message["ts"] == ts:
                return message
        return None


def _rich_text_block(text: str) -> JsonDict:
    """The block Slack's composer attaches to a plain typed message."""
    return {
        "type": "rich_text",
        "block_id": secrets.token_hex(2),
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }
