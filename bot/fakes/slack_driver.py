"""Plays Slack sending requests to our app: real payload shapes, signed with v0, over HTTP.

    with FakeSlack() as fake, SlackDriver(app_url, "secret", fake) as slack:
        response = slack.slash_command("call 123 tomorrow")

Slash commands go as form fields; interactions (shortcuts, block actions, view submissions,
suggestions) as one form field `payload` holding JSON, as Slack sends them. trigger_ids and
response_urls come from the fake, so `views.open` and response_url posts behave as in Slack
(a trigger expires after 3 s; a response_url takes 5 posts in 30 minutes).
"""

from __future__ import annotations

import datetime
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from slack_sdk.signature import SignatureVerifier

from bot.fakes.slack import DEFAULT_USER_ID, FakeSlack

JsonDict = dict[str, Any]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
EVENTS_PATH = "/slack/events"
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
VERIFICATION_TOKEN = "fake-verification-token"
"""The deprecated per-app token Slack still puts in every payload; Bolt ignores it by default."""
ACK_TIMEOUT = 3.0
"""Slack gives up on an unacknowledged request after 3 s, so the driver does too."""
STALE_AFTER = 5 * 60
"""Bolt (like Slack's docs) refuses a request timestamp more than 5 minutes from now."""

_STATEFUL_INPUT_KEYS = {
    "plain_text_input": ("value", "initial_value"),
    "number_input": ("value", "initial_value"),
    "email_text_input": ("value", "initial_value"),
    "url_text_input": ("value", "initial_value"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "channels_select": ("selected_channel", "initial_channel"),
}
_SINGLE_OPTION = ("static_select", "external_select", "radio_buttons")
_MULTI_OPTION = ("multi_static_select", "multi_external_select", "checkboxes")


class SlackDriver:
    """Sends signed Slack requests to the app at `app_url` (its `POST /slack/events` URL)."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        fake: FakeSlack,
        *,
        team_id: str = "T0001",
        ack_timeout: float = ACK_TIMEOUT,
    ) -> None:
        """`app_url` is the events URL; a bare `http://host:port` gets `/slack/events` added."""
        bare = urlsplit(app_url).path in ("", "/")
        self.url = app_url.rstrip("/") + EVENTS_PATH if bare else app_url
        self.fake = fake
        self.team_id = team_id
        self.last_payload: JsonDict = {}
        """What the last request carried (form fields, or the interaction payload), for tests."""
        self._verifier = SignatureVerifier(signing_secret)
        # trust_env=False: a proxy from the environment must never see loopback test traffic.
        self._http = httpx.Client(timeout=ack_timeout, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SlackDriver:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- sending ---------------------------------------------------------------------------

    def signed_headers(
        self, body: bytes, timestamp: int | None = None, *, content_type: str = FORM_CONTENT_TYPE
    ) -> dict[str, str]:
        """Headers Slack sends with `body`: v0 signature over `v0:{timestamp}:{body}`."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._verifier.generate_signature(timestamp=stamp, body=body)
        assert signature is not None  # only None when the timestamp is
        return {
            "Content-Type": content_type,
            "User-Agent": SLACK_USER_AGENT,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        }

    def send(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        content_type: str = FORM_CONTENT_TYPE,
    ) -> httpx.Response:
        """POST `body` signed (with `timestamp` if given; `signature` replaces the real one)."""
        headers = self.signed_headers(body, timestamp, content_type=content_type)
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        return self.raw(body, headers)

    def send_stale(self, body: bytes, *, age: int = STALE_AFTER + 60) -> httpx.Response:
        """POST `body` correctly signed, but with a timestamp `age` seconds old (a replay)."""
        return self.send(body, timestamp=int(time.time()) - age)

    def send_badly_signed(self, body: bytes) -> httpx.Response:
        """POST `body` with a signature made with the wrong secret."""
        wrong = SignatureVerifier("not-" + self._verifier.signing_secret)
        stamp = str(int(time.time()))
        signature = wrong.generate_signature(timestamp=stamp, body=body)
        return self.raw(
            body, {**self.signed_headers(body, int(stamp)), "X-Slack-Signature": str(signature)}
        )

    def raw(self, body: bytes, headers: Mapping[str, str]) -> httpx.Response:
        """POST exactly `body` with exactly `headers` (for malformed or unsigned requests)."""
        return self._http.post(self.url, content=body, headers=dict(headers))

    # ---- slash commands ----------------------------------------------------------------------

    def slash_command_fields(
        self,
        text: str,
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = "C123",
        command: str = "/task",
    ) -> dict[str, str]:
        """The form fields of a slash command, with a fresh trigger_id and response_url."""
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.fake.team_domain,
            "channel_id": channel_id,
            "channel_name": self.fake.channel_name(channel_id),
            "user_id": user_id,
            "user_name": self.fake.user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.fake.app_id,
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(channel_id, user_id),
            "trigger_id": self.fake.issue_trigger_id(),
        }

    def slash_command(
        self,
        text: str,
        *,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = "C123",
        command: str = "/task",
    ) -> httpx.Response:
        """`/task text` typed by `user_id` in `channel_id`."""
        fields = self.slash_command_fields(
            text, user_id=user_id, channel_id=channel_id, command=command
        )
        self.last_payload = dict(fields)
        return self.send(urlencode(fields).encode())

    # ---- interactions ----------------------------------------------------------------------

    def send_payload(self, payload: JsonDict, **send_options: Any) -> httpx.Response:
        """POST an interaction payload as Slack does: form field `payload` holding the JSON."""
        self.last_payload = payload
        return self.send(interaction_body(payload), **send_options)

    def message_shortcut_payload(
        self,
        message: JsonDict,
        *,
        callback_id: str,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = "C123",
    ) -> JsonDict:
        message = {"type": "message", **message}
        message.setdefault("ts", self.fake.new_ts())
        return {
            **self._envelope("message_action", user_id),
            "callback_id": callback_id,
            "trigger_id": self.fake.issue_trigger_id(),
            "response_url": self.fake.response_url(channel_id, user_id, message_ts=message["ts"]),
            "channel": self._channel(channel_id),
            "message_ts": message["ts"],
            "message": message,
            "action_ts": self.fake.new_ts(),
        }

    def message_shortcut(
        self,
        message: JsonDict,
        *,
        callback_id: str,
        user_id: str = DEFAULT_USER_ID,
        channel_id: str = "C123",
    ) -> httpx.Response:
        """The message shortcut `callback_id` run by `user_id` on `message` (e.g. from
        `fake.add_message`; a reply carries `thread_ts`)."""
        return self.send_payload(
            self.message_shortcut_payload(
                message, callback_id=callback_id, user_id=user_id, channel_id=channel_id
            )
        )

    def view_submission_payload(
        self, view: JsonDict, values: JsonDict, *, user_id: str = DEFAULT_USER_ID
    ) -> JsonDict:
        submitted = {**view, "state": {"values": values}}
        return {
            **self._envelope("view_submission", user_id),
            "trigger_id": self.fake.issue_trigger_id(),
            "view": submitted,
            "response_urls": [],
        }

    def view_submission(
        self, view: JsonDict, values: JsonDict, *, user_id: str = DEFAULT_USER_ID
    ) -> httpx.Response:
        """`user_id` presses Submit on `view` (as the fake stored it: id, hash, callback_id,
        private_metadata) with `values` in Slack's `{block_id: {action_id: {...}}}` shape;
        `fill_view` builds them from answers."""
        return self.send_payload(self.view_submission_payload(view, values, user_id=user_id))

    def block_action_payload(
        self,
        action: JsonDict,
        *,
        message: JsonDict | None = None,
        view: JsonDict | None = None,
        channel_id: str = "C123",
        user_id: str = DEFAULT_USER_ID,
        state_values: JsonDict | None = None,
    ) -> JsonDict:
        action = {"type": "button", **action}
        action.setdefault("block_id", secrets.token_hex(3))
        action.setdefault("action_ts", self.fake.new_ts())
        payload: JsonDict = {
            **self._envelope("block_actions", user_id),
            "trigger_id": self.fake.issue_trigger_id(),
            "state": {"values": state_values or {}},
            "actions": [action],
        }
        if view is not None:  # an element in a modal: no channel, no response_url
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = {**view, "state": {"values": state_values or {}}}
            return payload
        message_ts = message["ts"] if message else self.fake.new_ts()
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": message is None,
        }
        payload["channel"] = self._channel(channel_id)
        if message is not None:  # Slack sends no `message` for an ephemeral one
            payload["message"] = message
        payload["response_url"] = self.fake.response_url(
            channel_id, user_id, message_ts=message_ts if message else None
        )
        return payload

    def block_action(
        self,
        action: JsonDict,
        *,
        message: JsonDict | None = None,
        view: JsonDict | None = None,
        channel_id: str = "C123",
        user_id: str = DEFAULT_USER_ID,
        state_values: JsonDict | None = None,
    ) -> httpx.Response:
        """`user_id` uses the element `action` describes (see `button_action`, `element_action`)
        in `message` (posted in `channel_id`), in `view` (a modal), or in an ephemeral message
        when neither is given."""
        return self.send_payload(
            self.block_action_payload(
                action,
                message=message,
                view=view,
                channel_id=channel_id,
                user_id=user_id,
                state_values=state_values,
            )
        )

    def press_button(
        self,
        message: JsonDict,
        action_id: str,
        *,
        channel_id: str = "C123",
        user_id: str = DEFAULT_USER_ID,
    ) -> httpx.Response:
        """Press the button `action_id` in `message` (as the fake recorded it)."""
        action = element_action(message.get("blocks", []), action_id)
        return self.block_action(action, message=message, channel_id=channel_id, user_id=user_id)

    def block_suggestion_payload(
        self,
        action_id: str,
        block_id: str,
        value: str,
        view: JsonDict,
        *,
        user_id: str = DEFAULT_USER_ID,
    ) -> JsonDict:
        return {
            **self._envelope("block_suggestion", user_id),
            "container": {"type": "view", "view_id": view.get("id")},
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "view": view,
        }

    def block_suggestion(
        self,
        action_id: str,
        block_id: str,
        value: str,
        view: JsonDict,
        *,
        user_id: str = DEFAULT_USER_ID,
    ) -> httpx.Response:
        """`user_id` typed `value` into the external select `action_id` in `view`; the app's
        answer (`{"options": [...]}`) is the response body."""
        return self.send_payload(
            self.block_suggestion_payload(action_id, block_id, value, view, user_id=user_id)
        )

    # ---- pieces ----------------------------------------------------------------------------

    def _envelope(self, kind: str, user_id: str) -> JsonDict:
        name = self.fake.user_name(user_id)
        return {
            "type": kind,
            "team": {"id": self.team_id, "domain": self.fake.team_domain},
            "user": {"id": user_id, "username": name, "name": name, "team_id": self.team_id},
            "api_app_id": self.fake.app_id,
            "token": VERIFICATION_TOKEN,
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def _channel(self, channel_id: str) -> JsonDict:
        return {"id": channel_id, "name": self.fake.channel_name(channel_id)}


def interaction_body(payload: JsonDict) -> bytes:
    """The form body Slack posts for an interaction: `payload=<JSON>`."""
    return urlencode({"payload": json.dumps(payload)}).encode()


# ---- Block Kit elements as Slack reports them ------------------------------------------------


def option(value: str, text: str | None = None) -> JsonDict:
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def plain_text_input(value: str | None) -> JsonDict:
    """A `state.values` entry for a plain_text_input (None: left empty)."""
    return {"type": "plain_text_input", "value": value}


def static_select(value: str | None, text: str | None = None) -> JsonDict:
    chosen = option(value, text) if value is not None else None
    return {"type": "static_select", "selected_option": chosen}


def external_select(value: str | None, text: str | None = None) -> JsonDict:
    chosen = option(value, text) if value is not None else None
    return {"type": "external_select", "selected_option": chosen}


def multi_static_select(values: Sequence[str | JsonDict]) -> JsonDict:
    chosen = [v if isinstance(v, dict) else option(v) for v in values]
    return {"type": "multi_static_select", "selected_options": chosen}


def multi_external_select(values: Sequence[str | JsonDict]) -> JsonDict:
    chosen = [v if isinstance(v, dict) else option(v) for v in values]
    return {"type": "multi_external_select", "selected_options": chosen}


def datepicker(value: datetime.date | str | None) -> JsonDict:
    chosen = value.isoformat() if isinstance(value, datetime.date) else value
    return {"type": "datepicker", "selected_date": chosen}


def users_select(user_id: str | None) -> JsonDict:
    return {"type": "users_select", "selected_user": user_id}


def button_action(
    action_id: str, value: str | None = None, *, block_id: str | None = None
) -> JsonDict:
    """A `block_actions` action for a button that was not taken from a posted message."""
    action: JsonDict = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": action_id, "emoji": True},
    }
    if value is not None:
        action["value"] = value
    if block_id is not None:
        action["block_id"] = block_id
    return action


def element_action(
    blocks: Sequence[JsonDict], action_id: str, *, selected: str | None = None
) -> JsonDict:
    """The action Slack reports when the element `action_id` in `blocks` is used.

    Buttons report their `text`, `value`, `style`; selects report `selected_option` (the option
    whose value is `selected`).
    """
    block_id, element = find_element(blocks, action_id)
    kind = str(element.get("type"))
    action: JsonDict = {"type": kind, "action_id": action_id, "block_id": block_id}
    if kind == "button":
        action.update({k: element[k] for k in ("text", "value", "style", "url") if k in element})
    elif kind in _SINGLE_OPTION:
        if selected is None:
            raise ValueError(f"{action_id} is a {kind}: say which option is `selected`")
        action["selected_option"] = _pick_option(element, selected)
    elif kind in _STATEFUL_INPUT_KEYS:
        action[_STATEFUL_INPUT_KEYS[kind][0]] = selected
    return action


def find_element(blocks: Sequence[JsonDict], action_id: str) -> tuple[str, JsonDict]:
    """(block_id, element) of the interactive element `action_id` in `blocks`."""
    for block in blocks:
        candidates = list(block.get("elements", [])) if block.get("type") == "actions" else []
        candidates += [block[k] for k in ("accessory", "element") if isinstance(block.get(k), dict)]
        for element in candidates:
            if element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    raise LookupError(f"no element with action_id {action_id!r} in these blocks")


def fill_view(view: JsonDict, answers: Mapping[str, Any]) -> JsonDict:
    """`state.values` for submitting `view` with `answers` (keyed by action_id), as Slack builds
    it: every input block appears, unanswered ones with their initial value or empty."""
    values: JsonDict = {}
    for block in view.get("blocks", []):
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        action_id = str(element.get("action_id"))
        answered = action_id in answers
        entry = _answered(element, answers[action_id]) if answered else _initial(element)
        values.setdefault(str(block.get("block_id")), {})[action_id] = entry
    unknown = set(answers) - {a for entries in values.values() for a in entries}
    if unknown:
        raise LookupError(f"no input element in the view for: {sorted(unknown)}")
    return values


def _answered(element: JsonDict, answer: Any) -> JsonDict:
    kind = str(element.get("type"))
    if kind in _SINGLE_OPTION:
        chosen = None if answer is None else _pick_option(element, answer)
        return {"type": kind, "selected_option": chosen}
    if kind in _MULTI_OPTION:
        return {"type": kind, "selected_options": [_pick_option(element, a) for a in answer]}
    if isinstance(answer, datetime.date):
        answer = answer.isoformat()
    key = _STATEFUL_INPUT_KEYS.get(kind, ("value", ""))[0]
    return {"type": kind, key: answer}


def _initial(element: JsonDict) -> JsonDict:
    kind = str(element.get("type"))
    if kind in _SINGLE_OPTION:
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind in _MULTI_OPTION:
        return {"type": kind, "selected_options": element.get("initial_options", [])}
    key, initial_key = _STATEFUL_INPUT_KEYS.get(kind, ("value", "initial_value"))
    return {"type": kind, key: element.get(initial_key)}


def _pick_option(element: JsonDict, answer: str | JsonDict) -> JsonDict:
    if isinstance(answer, dict):
        return answer
    options = list(element.get("options", []))
    for group in element.get("option_groups", []):
        options += group.get("options", [])
    for candidate in options:
        if candidate.get("value") == answer:
            return dict(candidate)
    if str(element.get("type")).endswith("external_select"):
        return option(answer)  # external options come from the app, not the view
    raise LookupError(f"{element.get('action_id')!r} has no option with value {answer!r}")
