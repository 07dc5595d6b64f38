"""Plays Slack sending requests to our app over HTTP: real payload shapes, signed with v0.

    with FakeSlack() as fake, SlackDriver(app_url, "secret", fake) as slack:
        response = slack.slash_command("call 123 tomorrow")

Slash commands go as form fields; interactions (shortcuts, block actions, view submissions,
suggestions) as one form field `payload` holding JSON, as Slack sends them. The payloads themselves
come from `SlackActions` (bot_testing/slack_payloads.py), shared with the Socket Mode driver; the
Block Kit helpers (`fill_view`, `element_action`…) live in bot_testing/slack_elements.py and are
re-exported here.
"""

from __future__ import annotations

import functools
import json
import ssl
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from slack_sdk.signature import SignatureVerifier

from bot_testing.slack import FakeSlack
from bot_testing.slack_elements import (
    button_action,
    datepicker,
    element_action,
    external_select,
    fill_view,
    find_element,
    multi_external_select,
    multi_static_select,
    option,
    plain_text_input,
    static_select,
    users_select,
)
from bot_testing.slack_payloads import VERIFICATION_TOKEN, SlackActions

__all__ = [
    "ACK_TIMEOUT",
    "EVENTS_PATH",
    "FORM_CONTENT_TYPE",
    "STALE_AFTER",
    "VERIFICATION_TOKEN",
    "SlackDriver",
    "button_action",
    "datepicker",
    "element_action",
    "external_select",
    "fill_view",
    "find_element",
    "interaction_body",
    "multi_external_select",
    "multi_static_select",
    "option",
    "plain_text_input",
    "static_select",
    "users_select",
]

JsonDict = dict[str, Any]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
EVENTS_PATH = "/slack/events"
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
ACK_TIMEOUT = 3.0
"""Slack gives up on an unacknowledged request after 3 s, so the driver does too."""
STALE_AFTER = 5 * 60
"""Bolt (like Slack's docs) refuses a request timestamp more than 5 minutes from now."""


class SlackDriver(SlackActions[httpx.Response]):
    """Sends signed Slack requests to the app at `app_url` (its `POST /slack/events` URL)."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        fake: FakeSlack,
        *,
        team_id: str = "T0001",
        enterprise_id: str | None = None,
        is_enterprise_install: bool = False,
        ack_timeout: float = ACK_TIMEOUT,
    ) -> None:
        """`app_url` is the events URL; a bare `http://host:port` gets `/slack/events` added."""
        super().__init__(
            fake, team_id=team_id, enterprise_id=enterprise_id, is_enterprise_install=is_enterprise_install
        )
        bare = urlsplit(app_url).path in ("", "/")
        self.url = app_url.rstrip("/") + EVENTS_PATH if bare else app_url
        self._verifier = SignatureVerifier(signing_secret)
        # trust_env=False: a proxy from the environment must never see loopback test traffic.
        self._http = httpx.Client(timeout=ack_timeout, trust_env=False, verify=_tls_context())

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

    # ---- the transport -----------------------------------------------------------------------

    def send_command(self, fields: dict[str, str]) -> httpx.Response:
        """POST a slash command as Slack does: its fields, form-encoded."""
        return self.send(urlencode(fields).encode())

    def send_payload(self, payload: JsonDict, **send_options: Any) -> httpx.Response:
        """POST an interaction payload as Slack does: form field `payload` holding the JSON."""
        self.last_payload = payload
        return self.send(interaction_body(payload), **send_options)

    def send_event(self, event: JsonDict) -> httpx.Response:
        """POST an Events API callback as Slack does: JSON, `event` wrapped in its envelope."""
        return self.deliver_event(self.event_envelope(event))

    def deliver_event(
        self, envelope: JsonDict, *, retry_num: int | None = None, retry_reason: str | None = None
    ) -> httpx.Response:
        """POST an event's envelope (`last_payload` of an earlier send, to deliver it again); with
        `retry_num`, as Slack retries one it got no 200 for within 3 s (its `X-Slack-Retry-*` headers)."""
        self.last_payload = envelope
        body = json.dumps(envelope).encode()
        headers = self.signed_headers(body, content_type="application/json")
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return self.raw(body, headers)

    def redeliver_last_event(self, *, retry_num: int = 1, reason: str = "http_timeout") -> httpx.Response:
        """Slack's retry of the last event (it got no 200 within 3 s): the same body and event_id, signed
        anew, with `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`."""
        body = json.dumps(self.last_payload).encode()
        headers = self.signed_headers(body, content_type="application/json")
        headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason})
        return self.raw(body, headers)

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



@functools.cache
@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every driver: httpx would load the CA bundle for each client (~50 ms),
    and a test suite makes hundreds of drivers (that only ever speak HTTP on loopback)."""
    return ssl.create_default_context()


def interaction_body(payload: JsonDict) -> bytes:
    """The form body Slack posts for an interaction: `payload=<JSON>`."""
    return urlencode({"payload": json.dumps(payload)}).encode()
