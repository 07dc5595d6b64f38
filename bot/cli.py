"""`python -m bot`: run the app; `… demo`: try it on fakes; `… parse` / `… create`: one /task text;
`… rotate-keys`: re-encrypt the kept Saleshandy keys under the first ENCRYPTION_KEYS key."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
import uuid
from collections.abc import Sequence
from functools import partial

from pydantic import SecretStr
from sqlalchemy.engine import Engine

from bot.cli_reporter import PrintingReporter
from bot.clock import UNKNOWN_ZONE_HINT, is_known_zone, today_in
from bot.config import ConfigError, Settings
from bot.domain import ProspectRef, TaskDraft
from bot.parsing import ProspectLinkPatterns, parse_command
from bot.parsing.prospects import dedupe_prospects
from bot.saleshandy import SaleshandyClient
from bot.service import BackgroundRunner, ProspectLookups, TaskService
from bot.store import (
    GENERATE_A_KEY,
    EncryptionNotConfiguredError,
    SaleshandyKeys,
    SecretBox,
    SharedWindow,
    StoreUnavailableError,
    SubmissionState,
    SubmissionStore,
    open_database,
)
from bot.store.accounts import UndecryptableKeyError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValueError as error:
        print(f"Settings are not valid:\n{error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.command == "parse":
        return _parse(args, settings)
    if args.command == "create":
        return _create(args, settings)
    if args.command == "rotate-keys":
        return _rotate_keys(settings)
    if args.command == "demo":
        from bot.demo import run_demo

        return run_demo(socket_mode=args.socket_mode)
    return _run_app(settings)


def _run_app(settings: Settings) -> int:
    from bot.slack.server import configure_logging, run

    configure_logging()
    try:
        run(settings)
    except ConfigError as error:
        print(f"{error}\n\nNo Slack app yet? `python -m bot demo` shows the whole thing on fakes, "
              "with no account and no network.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", metavar="[demo | parse | create | rotate-keys]")
    commands.add_parser(
        "rotate-keys",
        help="re-encrypt every stored Saleshandy key under the first ENCRYPTION_KEYS key (after adding one)",
    )
    demo = commands.add_parser(
        "demo", help="play a scripted session against a fake Slack and a fake Saleshandy (no account)"
    )
    demo.add_argument(
        "--socket-mode",
        action="store_true",
        help="talk to the app over Socket Mode, as `python -m bot` does with SLACK_APP_TOKEN (needs .[demo])",
    )
    for name, summary in (
        ("parse", "print the exact create-task JSON body a /task text becomes (nothing is sent)"),
        ("create", "send it to Saleshandy (SALESHANDY_API_KEY) and print one line per prospect"),
    ):
        command = commands.add_parser(name, help=summary, description=summary)
        command.add_argument("text", help='the /task text, e.g. "call follow-up tomorrow high 8PvBmrB7P7"')
        command.add_argument("--today", type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        command.add_argument(
            "--tz", type=_zone, help="IANA time zone for today (default DEFAULT_TIMEZONE)"
        )
        command.add_argument("--day-first", action="store_true", help="read 4/5 as 4 May")
    return parser


def _rotate_keys(settings: Settings) -> int:
    """Every kept key re-encrypted under the first ENCRYPTION_KEYS key, so older keys can be removed."""
    try:
        box = SecretBox.from_setting(settings.encryption_keys)
    except EncryptionNotConfiguredError as error:
        print(f"{error}. Make a key with: {GENERATE_A_KEY}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if box is None:
        print(f"ENCRYPTION_KEYS is not set. Make a key with: {GENERATE_A_KEY}", file=sys.stderr)
        return EXIT_BAD_INPUT
    engine = _open_database(settings)
    if engine is None:
        return EXIT_BAD_INPUT
    try:
        rotated = SaleshandyKeys(engine, box).rotate_all()
    except UndecryptableKeyError:
        print("A stored key opens with none of ENCRYPTION_KEYS: keep the old key in the list (after the "
              "new one) until the rotation is done.", file=sys.stderr)
        return EXIT_FAILED
    finally:
        engine.dispose()
    print(f"{rotated} Saleshandy key(s) re-encrypted under the first ENCRYPTION_KEYS key; the others "
          "may now be removed from ENCRYPTION_KEYS.")
    return EXIT_OK


def _zone(name: str) -> str:
    if not is_known_zone(name):
        raise argparse.ArgumentTypeError(f"unknown time zone {name!r}; {UNKNOWN_ZONE_HINT}")
    return name


def _draft(args: argparse.Namespace, settings: Settings) -> TaskDraft | None:
    """The draft, or None after printing every problem to stderr."""
    today = args.today or today_in(args.tz or settings.default_timezone)
    draft = parse_command(
        args.text,
        today=today,
        day_first=args.day_first or settings.day_first,
        links=ProspectLinkPatterns(settings.prospect_link_patterns),
    )
    problems = [*draft.missing_messages(), *(p.message for p in draft.problems)]
    if draft.emails and _is_blank(settings.saleshandy_api_key):
        problems += [NEEDS_A_KEY_FOR_EMAILS.format(email=email) for email in draft.emails]
    if not problems:
        return draft
    for message in problems:
        print(f"- {message}", file=sys.stderr)
    return None


def _parse(args: argparse.Namespace, settings: Settings) -> int:
    draft = _draft(args, settings)
    if draft is None:
        return EXIT_BAD_INPUT
    found: tuple[ProspectRef, ...] = ()
    if draft.emails:
        runner = BackgroundRunner(work_threads=0, suggestion_threads=0)
        with SaleshandyClient.from_settings(settings) as client:
            say_not_found = partial(PrintingReporter().say_email_not_found, rep_key=False)
            lookups = ProspectLookups(client, runner)
            found, not_found = lookups.find_by_email(draft.emails, say_not_found=say_not_found)
        runner.close(0)
        for missing in not_found:
            print(f"- {missing.email}: {missing.reason}", file=sys.stderr)
        if not dedupe_prospects((*draft.prospects, *found)):
            return EXIT_BAD_INPUT
    print(json.dumps(draft.to_request(also=found).to_api_body(), indent=2, ensure_ascii=False))
    return EXIT_OK


def _create(args: argparse.Namespace, settings: Settings) -> int:
    try:
        settings.require("SALESHANDY_API_KEY")
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    draft = _draft(args, settings)
    if draft is None:
        return EXIT_BAD_INPUT
    engine = _open_database(settings)
    if engine is None:
        return EXIT_BAD_INPUT
    runner = BackgroundRunner(work_threads=0, suggestion_threads=0)
    try:
        window = SharedWindow(engine, key=_key(settings))
        with SaleshandyClient.from_settings(settings, window=window) as client:
            service = TaskService(
                client=client,
                store=SubmissionStore(engine, clock=time.time),
                reporter=PrintingReporter(),
                runner=runner,
            )
            stored = service.run_now(key=f"cli:{uuid.uuid4().hex}", draft=draft, reply_to={"user": "cli"})
    finally:
        runner.close(0)
        engine.dispose()
    if stored is None or stored.submission is None or stored.state is not SubmissionState.DONE:
        return EXIT_FAILED
    submission = stored.submission
    every_one_created = submission.outcomes and not submission.to_retry and not submission.not_found
    return EXIT_OK if every_one_created else EXIT_FAILED


def _open_database(settings: Settings) -> Engine | None:
    """The app's database, or None after saying on stderr why it cannot be opened."""
    try:
        return open_database(settings.database_url)
    except StoreUnavailableError as error:
        print(f"{error}.", file=sys.stderr)
        return None


def _key(settings: Settings) -> str:
    assert settings.saleshandy_api_key is not None  # required before
    return settings.saleshandy_api_key.get_secret_value()


def _is_blank(secret: SecretStr | None) -> bool:
    return secret is None or not secret.get_secret_value().strip()


NEEDS_A_KEY_FOR_EMAILS = (
    "{email}: prospects named by email are looked up in Saleshandy, which needs SALESHANDY_API_KEY; "
    "set it, or give the prospect's ID or link instead"
)
