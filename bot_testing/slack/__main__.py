"""`python -m bot_testing.slack`: run the fake by hand, logging every call, until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Sequence

from bot_testing.slack.fake import CALLS_PATH, FakeSlack


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot_testing.slack", description="A fake Slack Web API on loopback."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8056)
    parser.add_argument("--token", default="xoxb-test", help="the bot token the fake accepts")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID:NAME:TZ",
        help="a member, e.g. U123:ann:Asia/Kolkata (repeatable)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    fake = FakeSlack(args.token, host=args.host, port=args.port)
    for spec in args.user:
        user_id, _, rest = spec.partition(":")
        name, _, tz = rest.partition(":")
        fake.add_user(user_id, name=name or None, tz=tz or "America/Los_Angeles")
    print(f"Fake Slack Web API at {fake.start()} (calls: {fake.base_url}{CALLS_PATH})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
