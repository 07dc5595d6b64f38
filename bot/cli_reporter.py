"""The workflow's `Reporter` for the command line: one line per prospect on stdout, notices on stderr."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from bot.domain import EmailNotFound, OutcomeStatus, Submission
from bot.saleshandy import ProspectVerdict, SaleshandyError
from bot.service import Message, ReplyTo, ServiceNotice, ServiceVerdict
from bot.slack.wording import say_email_not_found, say_error, say_notice, say_verdict


class PrintingReporter:
    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        # The streams of the moment it is made (not of import time), so a redirect in force then holds.
        self._out = out if out is not None else sys.stdout
        self._err = err if err is not None else sys.stderr

    def announce(self, submission: Submission, reply_to: ReplyTo) -> ReplyTo:
        return reply_to  # the command line already shows what was asked

    def results(
        self, submission: Submission, *, headline: str | None, say_what_was_asked: bool
    ) -> Sequence[Message]:
        lines = []
        for outcome in submission.outcomes:
            shown = submission.prospect(outcome.prospect_id).shown_as
            detail = outcome.task_id if outcome.status is OutcomeStatus.CREATED else outcome.reason
            lines.append(f"{outcome.status.value:8} {shown}: {detail}")
        lines += [_not_found_line(missing) for missing in submission.not_found]
        return [{"text": "\n".join(lines)}]

    def nobody_found(self, not_found: Sequence[EmailNotFound]) -> Message:
        return {"text": "\n".join(_not_found_line(missing) for missing in not_found)}

    def say_error(self, error: SaleshandyError, *, rep_key: bool) -> str:
        return say_error(error, rep_key=rep_key)  # the same words as in Slack: plain text already

    def say_verdict(self, verdict: ProspectVerdict | ServiceVerdict) -> str:
        return say_verdict(verdict)

    def say_email_not_found(self, why: SaleshandyError | ServiceVerdict, *, rep_key: bool) -> str:
        return say_email_not_found(why, rep_key=rep_key)

    def say_notice(self, notice: ServiceNotice, *, error_id: str | None = None) -> str:
        return say_notice(notice, error_id=error_id)

    def notice(self, text: str) -> Message:
        return {"text": text, "notice": True}

    def finished(
        self, submission: Submission | None, not_found: Sequence[EmailNotFound], reply_to: ReplyTo
    ) -> None:
        return  # the command line's own exit status says how it went

    def gave_up(self, reply_to: ReplyTo, *, retry: bool) -> None:
        return  # the command line runs once, in the foreground: nothing is left for later

    def post(self, reply_to: ReplyTo, message: Message, *, private: bool = False) -> ReplyTo:
        print(message["text"], file=self._err if message.get("notice") else self._out)
        return reply_to


def _not_found_line(missing: EmailNotFound) -> str:
    return f"{'failed':8} {missing.email}: {missing.reason}"
