"""Plays Slack sending to our app over Socket Mode: the payloads the HTTP driver sends, in envelopes.

    with FakeSlack(app_token="xapp-…") as fake:
        # … the app connects (apps.connections.open, then the WebSocket) …
        ack = SocketModeDriver(fake).slash_command("help")
        ack.payload  # what the app answered in its ack (a message, `response_action: errors`…)

Each action waits, as Slack does, up to `ack_timeout` seconds for the app's first ack of its envelope.
"""

from __future__ import annotations

from bot_testing.slack import FakeSlack
from bot_testing.slack_payloads import JsonDict, SlackActions
from bot_testing.slack_socket import ACK_TIMEOUT, Envelope, ReceivedAck


class SocketModeDriver(SlackActions[ReceivedAck]):
    """Sends a person's actions to the app connected to `fake`'s Socket Mode; answers the app's ack."""

    def __init__(self, fake: FakeSlack, *, team_id: str = "T0001", ack_timeout: float = ACK_TIMEOUT) -> None:
        super().__init__(fake, team_id=team_id)
        self.ack_timeout = ack_timeout
        self.last_envelope: Envelope | None = None

    def send_command(self, fields: dict[str, str]) -> ReceivedAck:
        return self._acked(self.fake.socket_mode.send_slash_command(fields))

    def send_payload(self, payload: JsonDict) -> ReceivedAck:
        self.last_payload = payload
        return self._acked(self.fake.socket_mode.send_interaction(payload))

    def send_event(self, event: JsonDict) -> ReceivedAck:
        return self._acked(self.fake.socket_mode.send_event(event, team_id=self.team_id))

    def _acked(self, envelope: Envelope) -> ReceivedAck:
        self.last_envelope = envelope
        acks = self.fake.socket_mode.wait_for_acks(envelope.envelope_id, timeout=self.ack_timeout)
        return acks[0]
