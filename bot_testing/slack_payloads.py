"""What Slack sends an app when a person acts, whatever carries it (HTTP or Socket Mode).

`SlackActions` builds real-shaped payloads (slash command fields, shortcuts, block actions, view
submissions, suggestions) with trigger_ids and response_urls from the fake, so `views.open` and
response_url posts behave as in Slack; a transport subclass says how they reach the app and what
comes back (an HTTP response, a Socket Mode ack).
"""

from __future__ import annotations

import secrets
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from bot_testing.slack import DEFAULT_USER_ID, FakeSlack, FunctionExecution
from bot_testing.slack.links import links_in
from bot_testing.slack_elements import element_action

JsonDict = dict[str, Any]
R = TypeVar("R")

VERIFICATION_TOKEN = "fake-verification-token"
"""The deprecated per-app token Slack still puts in every payload; Bolt ignores it by default."""
UNFURL_DOMAINS = ("saleshandy.com",)
"""The domains whose links Slack tells the app of (the manifest's `unfurl_domains`; subdomains too)."""


class SlackActions(ABC, Generic[R]):
    """A person's actions in Slack as payloads, sent by `send_command` / `send_payload` (answering R)."""

    def __init__(
        self,
        fake: FakeSlack,
        *,
        team_id: str = "T0001",
        enterprise_id: str | None = None,
        is_enterprise_install: bool = False,
    ) -> None:
        self.fake = fake
        self.team_id = team_id
        self.enterprise_id = enterprise_id
        """A workspace of an Enterprise Grid org: the org's id goes in every payload."""
        self.is_enterprise_install = is_enterprise_install
        """The app is installed org-wide (one installation for every workspace of the org)."""
        self.last_execution: FunctionExecution | None = None
        """The workflow step `function_executed` started last."""
        self.last_payload: JsonDict = {}
        """What the last request carried (command fields, or the interaction payload), for tests."""

    @abstractmethod
    def send_command(self, fields: dict[str, str]) -> R:
        """Deliver a slash command's fields to the app."""

    @abstractmethod
    def send_payload(self, payload: JsonDict) -> R:
        """Deliver an interaction payload to the app (and keep it as `last_payload`)."""

    @abstractmethod
    def send_event(self, event: JsonDict) -> R:
        """Deliver an Events API event (wrapped in its `event_callback`) to the app."""

    def function_executed(self, callback_id: str, inputs: JsonDict, *, ran_by: str | None = None) -> R:
        """A workflow `ran_by` someone reaches the app's step `callback_id` with `inputs` (Slack sends
        `function_executed`); the execution started in the fake is `last_execution`."""
        self.last_execution = self.fake.start_function(callback_id, inputs, ran_by=ran_by)
        return self.send_event(function_executed_event(self.fake, self.last_execution))

    def event_envelope(self, event: JsonDict, *, event_id: str | None = None) -> JsonDict:
        """Any event wrapped as the Events API delivers it (`event_callback`), with a fresh event_id
        unless one is given (Slack's retries of a delivery keep its id)."""
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
            "api_app_id": self.fake.app_id,
            "event": {"event_ts": self.fake.new_ts(), **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": self.enterprise_id,
                    "team_id": None if self.is_enterprise_install else self.team_id,
                    "user_id": self.fake.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": self.is_enterprise_install,
                }
            ],
            "is_ext_shared_channel": False,
        }

    def app_home_opened(self, user_id: str = DEFAULT_USER_ID, *, tab: str = "home") -> R:
        """`user_id` opens the app's Home tab (Slack sends `app_home_opened`)."""
        channel = f"D{user_id[1:]}"
        return self.send_event({"type": "app_home_opened", "user": user_id, "channel": channel, "tab": tab})

    def link_shared(
        self,
        message: JsonDict,
        *,
        channel_id: str = "C123",
        user_id: str = DEFAULT_USER_ID,
        domains: tuple[str, ...] = UNFURL_DOMAINS,
    ) -> R:
        """`user_id` posted `message` (from `fake.add_message`) in `channel_id`: Slack tells the app of
        its links on `domains` (each once), and will let the app unfurl those."""
        urls = on_domains(links_in(message), domains)
        event: JsonDict = {
            "type": "link_shared",
            "channel": channel_id,
            "is_bot_user_member": True,
            "user": user_id,
            "message_ts": message["ts"],
            "unfurl_id": self.fake.share_links(channel_id, message["ts"], urls),
            "source": "conversations_history",
            "links": [{"domain": _host(url), "url": url} for url in urls],
        }
        if message.get("thread_ts"):
            event["thread_ts"] = message["thread_ts"]
        return self.send_event(event)

    def composer_link_shared(
        self, urls: list[str], *, user_id: str = DEFAULT_USER_ID, domains: tuple[str, ...] = UNFURL_DOMAINS
    ) -> R:
        """`user_id` pasted `urls` in the message box and has not sent it: Slack tells the app of those on
        `domains`, naming no message (the app previews them by the event's `unfurl_id`)."""
        shown = on_domains(urls, domains)
        return self.send_event(
            {
                "type": "link_shared",
                "channel": "COMPOSER",
                "is_bot_user_member": False,
                "user": user_id,
                "message_ts": f"{user_id}-{secrets.token_hex(16)}",
                "unfurl_id": self.fake.share_links(None, None, shown),
                "source": "composer",
                "links": [{"domain": _host(url), "url": url} for url in shown],
            }
        )

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
            **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
            "is_enterprise_install": "true" if self.is_enterprise_install else "false",
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
    ) -> R:
        """`/task text` typed by `user_id` in `channel_id`."""
        fields = self.slash_command_fields(
            text, user_id=user_id, channel_id=channel_id, command=command
        )
        self.last_payload = dict(fields)
        return self.send_command(fields)

    # ---- interactions ----------------------------------------------------------------------

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
    ) -> R:
        """The message shortcut `callback_id` run by `user_id` on `message` (e.g. from
        `fake.add_message`; a reply carries `thread_ts`)."""
        return self.send_payload(
            self.message_shortcut_payload(
                message, callback_id=callback_id, user_id=user_id, channel_id=channel_id
            )
        )

    def global_shortcut_payload(self, callback_id: str, *, user_id: str = DEFAULT_USER_ID) -> JsonDict:
        """The global shortcut `callback_id`: no channel, no message, no response_url."""
        return {
            **self._envelope("shortcut", user_id),
            "callback_id": callback_id,
            "trigger_id": self.fake.issue_trigger_id(),
            "action_ts": self.fake.new_ts(),
        }

    def global_shortcut(self, callback_id: str, *, user_id: str = DEFAULT_USER_ID) -> R:
        """`user_id` runs the global shortcut `callback_id` (the shortcuts menu, anywhere in Slack)."""
        return self.send_payload(self.global_shortcut_payload(callback_id, user_id=user_id))

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
    ) -> R:
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
    ) -> R:
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
    ) -> R:
        """Press the button `action_id` in `message` (as the fake recorded it)."""
        action = element_action(message.get("blocks", []), action_id)
        return self.block_action(action, message=message, channel_id=channel_id, user_id=user_id)

    def unfurl_button_payload(
        self,
        message: JsonDict,
        url: str,
        action_id: str,
        *,
        channel_id: str = "C123",
        user_id: str = DEFAULT_USER_ID,
    ) -> JsonDict:
        """A press of the button `action_id` in the app's preview of `url` under `message` (as the fake
        has it now, previews attached: from `fake.messages(channel)`)."""
        preview = next((a for a in message.get("attachments", []) if a.get("app_unfurl_url") == url), None)
        if preview is None:
            raise LookupError(f"the app made no preview of {url} under that message")
        action = element_action(preview.get("blocks", []), action_id)
        action["action_ts"] = self.fake.new_ts()
        container: JsonDict = {
            "type": "message_attachment",
            "message_ts": message["ts"],
            "attachment_id": preview["id"],
            "channel_id": channel_id,
            "is_ephemeral": False,
            "is_app_unfurl": True,
            "app_unfurl_url": url,
        }
        if message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        return {
            **self._envelope("block_actions", user_id),
            "trigger_id": self.fake.issue_trigger_id(),
            "container": container,
            "channel": self._channel(channel_id),
            "message": message,
            "app_unfurl": preview,
            "state": {"values": {}},
            "response_url": self.fake.response_url(channel_id, user_id, message_ts=message["ts"]),
            "actions": [action],
        }

    def press_unfurl_button(
        self,
        message: JsonDict,
        url: str,
        action_id: str,
        *,
        channel_id: str = "C123",
        user_id: str = DEFAULT_USER_ID,
    ) -> R:
        """`user_id` presses `action_id` in the app's preview of `url` under `message`."""
        return self.send_payload(
            self.unfurl_button_payload(message, url, action_id, channel_id=channel_id, user_id=user_id)
        )

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
    ) -> R:
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
            "team": {
                "id": self.team_id,
                "domain": self.fake.team_domain,
                **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
            },
            "user": {"id": user_id, "username": name, "name": name, "team_id": self.team_id},
            "api_app_id": self.fake.app_id,
            "token": VERIFICATION_TOKEN,
            "is_enterprise_install": self.is_enterprise_install,
            "enterprise": {"id": self.enterprise_id, "name": f"Org {self.enterprise_id}"}
            if self.enterprise_id
            else None,
        }

    def _channel(self, channel_id: str) -> JsonDict:
        return {"id": channel_id, "name": self.fake.channel_name(channel_id)}


def function_executed_event(fake: FakeSlack, execution: FunctionExecution) -> JsonDict:
    """The `function_executed` event of `execution`, shaped as Slack sends it (the function as declared,
    its parameters as lists, the inputs, the execution's ids and its short-lived token)."""
    definition = fake.function_definition(execution.callback_id)

    def parameters(kind: str) -> list[JsonDict]:
        declared: JsonDict = definition.get(kind) or {}
        return [{"name": name, **parameter} for name, parameter in declared.items()]

    return {
        "type": "function_executed",
        "function": {
            "id": f"Fn{zlib.crc32(execution.callback_id.encode()):010d}",
            "callback_id": execution.callback_id,
            "title": definition.get("title", execution.callback_id),
            "description": definition.get("description", ""),
            "type": "app",
            "input_parameters": parameters("input_parameters"),
            "output_parameters": parameters("output_parameters"),
            "app_id": fake.app_id,
            "date_created": 1764300000,
            "date_updated": 1764300000,
            "date_deleted": 0,
        },
        "inputs": execution.inputs,
        "function_execution_id": execution.id,
        "workflow_execution_id": execution.workflow_execution_id,
        "bot_access_token": execution.bot_access_token,
    }
def on_domains(urls: Iterable[str], domains: tuple[str, ...]) -> list[str]:
    """The URLs on `domains` or their subdomains, each once, in order."""
    found: list[str] = []
    for url in urls:
        host = _host(url)
        if any(host == d or host.endswith("." + d) for d in domains) and url not in found:
            found.append(url)
    return found


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
