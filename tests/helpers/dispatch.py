"""Plays Slack to the Bolt app in this process, as bolt-python's own scenario tests do: the same
real-shaped payloads the HTTP driver sends (`SlackActions`), signed with v0, handed to
`App.dispatch(BoltRequest(...))`. No socket and no server: what only HTTP shows (the WSGI layer, body
limits, the Procfile server) is tested over HTTP in tests/e2e."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot_testing.slack import FakeSlack
from bot_testing.slack_driver import interaction_body
from bot_testing.slack_payloads import VERIFICATION_TOKEN, SlackActions

JsonDict = dict[str, Any]
FORM = "application/x-www-form-urlencoded"


class Dispatcher(SlackActions[BoltResponse]):
    """Signed requests dispatched straight to `app`; each returns Bolt's response (the ack)."""

    def __init__(self, app: App, signing_secret: str, fake: FakeSlack, **options: Any) -> None:
        super().__init__(fake, **options)
        self.app = app
        self._verifier = SignatureVerifier(signing_secret)

    def send_command(self, fields: dict[str, str]) -> BoltResponse:
        return self.send(urlencode(fields))

    def send_payload(self, payload: JsonDict) -> BoltResponse:
        self.last_payload = payload
        return self.send(interaction_body(payload).decode())

    def send_event(self, event: JsonDict) -> BoltResponse:
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": self.fake.app_id,
            "event": {"event_ts": self.fake.new_ts(), **event},
            "type": "event_callback",
            "event_id": f"Ev{self.fake.new_ts().replace('.', '')}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": self.team_id, "user_id": self.fake.bot_user_id, "is_bot": True}
            ],
        }
        self.last_payload = envelope
        return self.send(json.dumps(envelope), content_type="application/json")

    def send(self, body: str, *, content_type: str = FORM, signature: str | None = None) -> BoltResponse:
        """`body` signed now (or with `signature` instead of the real one), dispatched."""
        headers = self.signed_headers(body, content_type=content_type)
        if signature is not None:
            headers["x-slack-signature"] = [signature]
        return self.dispatch(body, headers)

    def signed_headers(self, body: str, *, content_type: str = FORM) -> dict[str, list[str]]:
        """The headers Slack sends with `body`: a v0 signature over `v0:{timestamp}:{body}`, now."""
        timestamp = str(int(time.time()))
        return {
            "content-type": [content_type],
            "x-slack-request-timestamp": [timestamp],
            "x-slack-signature": [str(self._verifier.generate_signature(timestamp=timestamp, body=body))],
        }

    def dispatch(self, body: str, headers: dict[str, list[str]]) -> BoltResponse:
        """Exactly `body` with exactly `headers` (a replay sends the same pair twice)."""
        return self.app.dispatch(BoltRequest(body=body, headers=dict(headers)))


def ack_json(response: BoltResponse) -> JsonDict:
    """The ack's JSON body (a help message, a view's field errors, options)."""
    assert response.status == 200, (response.status, response.body)
    return dict(json.loads(response.body))
