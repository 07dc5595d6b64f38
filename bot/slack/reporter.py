"""The workflow's `Reporter` for Slack: announcements, results and notices posted where the rep sees them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.domain import EmailNotFound, Submission
from bot.saleshandy import ProspectVerdict, SaleshandyError
from bot.service import Message, ReplyTo, ServiceNotice, ServiceVerdict
from bot.slack.blocks.notices import build_notice
from bot.slack.blocks.results import build_nobody_found, build_parent_message, build_results_messages
from bot.slack.delivery import Delivery
from bot.slack.delivery import ReplyTo as SlackReplyTo
from bot.slack.wording import StepFailure, say_email_not_found, say_error, say_notice, say_verdict
from bot.slack.workflow_step import complete_step, fail_step_for


class SlackReporter:
    def __init__(self, delivery: Delivery) -> None:
        self._delivery = delivery

    def announce(self, submission: Submission, reply_to: ReplyTo) -> ReplyTo:
        target = SlackReplyTo.from_dict(reply_to)
        parent = build_parent_message(submission, assumed_zone=target.assumed_zone)
        return self._delivery.deliver(target, [], parent=parent).to_dict()

    def results(
        self, submission: Submission, *, headline: str | None, say_what_was_asked: bool
    ) -> Sequence[Message]:
        return build_results_messages(submission, headline=headline, say_what_was_asked=say_what_was_asked)

    def nobody_found(self, not_found: Sequence[EmailNotFound]) -> Message:
        return build_nobody_found(not_found)

    def say_error(self, error: SaleshandyError, *, rep_key: bool) -> str:
        return say_error(error, rep_key=rep_key)

    def say_verdict(self, verdict: ProspectVerdict | ServiceVerdict) -> str:
        return say_verdict(verdict)

    def say_email_not_found(self, why: SaleshandyError | ServiceVerdict, *, rep_key: bool) -> str:
        return say_email_not_found(why, rep_key=rep_key)

    def say_notice(self, notice: ServiceNotice, *, error_id: str | None = None) -> str:
        return say_notice(notice, error_id=error_id)

    def notice(self, text: str) -> Message:
        return build_notice(text)

    def finished(
        self, submission: Submission | None, not_found: Sequence[EmailNotFound], reply_to: ReplyTo
    ) -> None:
        target = SlackReplyTo.from_dict(reply_to)
        if target.function_execution_id is None or (submission is not None and submission.retry_of):
            return  # nobody waits (a retry's results: its step was completed by the first run)
        client = self._delivery.client_for(target)
        complete_step(client, target.function_execution_id, submission, not_found)

    def gave_up(self, reply_to: ReplyTo, *, retry: bool) -> None:
        target = SlackReplyTo.from_dict(reply_to)
        if target.function_execution_id is None or retry:
            return  # nobody waits (a retry's: its step was completed by the first run)
        client = self._delivery.client_for(target)
        fail_step_for(client, target.function_execution_id, StepFailure.STOPPED_AFTER_ERRORS)

    def post(self, reply_to: ReplyTo, message: Message, *, private: bool = False) -> ReplyTo:
        target = SlackReplyTo.from_dict(reply_to)
        if private:
            target = replace(target, in_channel=False)
        return self._delivery.deliver(target, [message]).to_dict()
