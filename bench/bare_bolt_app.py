"""The reference for the serving benchmarks: a bare slack-bolt app that only acks.

Served by the Procfile's gunicorn command line with `bench.bare_bolt_app:create_wsgi_app()` in place
of the real app, configured the same way (a WebClient on SLACK_API_URL, the signing secret,
`process_before_response=False`), with a `/task` command listener and a listener for the task modal's
submissions that call `ack()` and nothing else, and the same `/healthz`. It imports nothing from `bot`,
so its memory and start-up are slack-bolt's alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

TASK_COMMAND = "/task"
TASK_MODAL_CALLBACK_ID = "saleshandy_task_modal"
"""Same as bot.slack.ids (the benchmarks check), not imported from there."""


def build_bare_app() -> App:
    client = WebClient(
        token=os.environ["SLACK_BOT_TOKEN"],
        base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
    )
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], process_before_response=False)

    @app.command(TASK_COMMAND)
    def on_command(ack: Ack) -> None:
        ack()

    @app.view(TASK_MODAL_CALLBACK_ID)
    def on_submission(ack: Ack) -> None:
        ack()

    return app


def create_wsgi_app() -> Any:
    """Factory for gunicorn (`gunicorn 'bench.bare_bolt_app:create_wsgi_app()'`)."""
    slack = SlackRequestHandler(build_bare_app(), path="/slack/events")

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        return slack(environ, start_response)  # type: ignore[no-any-return]

    return application
