"""A fake Slack Web API and response_url endpoint on loopback, faithful where the app can tell.

Answers the way slack.com/api does: form, query or JSON bodies; the token in `Authorization: Bearer`
(or a `token` field, except in JSON bodies, which Slack refuses); HTTP 200 with `{"ok": false}` for
API errors, HTTP 429 with `Retry-After` when rate limited. Every request is recorded, so a test can
wait for what the app posts from its background threads and look at it.
With an `app_token`, `apps.connections.open` answers a `ws://` URL on loopback where Socket Mode is
spoken (bot_testing/slack_socket.py).

    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)

By hand: `python -m bot_testing.slack --port 8056`.

Inside: `workspace.py` (the state), `installs.py` (tokens and OAuth installs), `faults.py`, `calls.py`
(what was received), one module per method family (`chat.py`, `views.py`…, registered in
`registry.py`; `functions.py` completes workflow steps, whose runs `executions.py` keeps),
`web_api.py` and `response_urls.py` (answering them), `fake.py` (`FakeSlack.handle`,
the one request handler that bot_testing/http_adapter.py serves), `__main__.py` (the command line).
"""

from bot_testing.slack.calls import RecordedCall
from bot_testing.slack.executions import FunctionExecution
from bot_testing.slack.fake import FakeSlack
from bot_testing.slack.workspace import DEFAULT_USER_ID

__all__ = ["DEFAULT_USER_ID", "FakeSlack", "FunctionExecution", "RecordedCall"]
