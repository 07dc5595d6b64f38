"""What a submission became: the channel message that announces it, and the thread that reports on
every prospect, split over as many messages as Slack's limits ask, never cut."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from bot.domain import EmailNotFound, OutcomeStatus, ProspectOutcome, Submission
from bot.parsing.command import describe_date
from bot.service import RetryRefused
from bot.slack.blocks.elements import mrkdwn_section, plain_text
from bot.slack.blocks.notices import build_notice
from bot.slack.blocks.text import escape_mrkdwn, escape_within
from bot.slack.ids import RETRY_FAILED_ACTION_ID, RETRY_FAILED_BLOCK_ID
from bot.slack.limits import MESSAGE_BLOCKS_MAX, TEXT_MAX_CHARS

BLOCKS_PER_MESSAGE = MESSAGE_BLOCKS_MAX - 5
"""A few blocks spare under Slack's limit."""
MESSAGE_TEXT_BUDGET = 10_000
"""Characters of block text in one message. Slack also refuses a message whose blocks carry ~12,000
characters in all (`msg_blocks_too_long`, undocumented; see slackapi/bolt-js#2509), so we stay well
under that whatever the per-block limits would allow."""
NAME_MAX_CHARS = 150
"""Of a prospect's name, escaped: enough to recognise anyone, short enough to keep lines short."""
REASON_MAX_CHARS = 600
NOT_FOUND_SHOWN_MAX = 40
"""Emails listed when nobody was found (the rest are counted): one message, within Slack's limits."""
HEADLINE_MAX_CHARS = 1000
TASK_ID_MAX_CHARS = 100
URL_MAX_CHARS = 1000

UNKNOWN_HINT = "may have been created — check Saleshandy before retrying"
INTERRUPTED_LINE = (
    "⏯️ The app restarted while working on this request, and picked it up where it stopped: "
    "nothing was sent twice."
)
_STATUS_MARK = {
    OutcomeStatus.CREATED: "✅",
    OutcomeStatus.FAILED: "❌",
    OutcomeStatus.UNKNOWN: "❔",
}
_SAFE_URL = re.compile(r"^https?://[^\s<>|]+$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def build_parent_message(submission: Submission, *, assumed_zone: str | None = None) -> dict[str, Any]:
    """The channel message: who asked for which task, when it is due, for how many prospects; and, when
    Slack never told the rep's time zone, which zone "today" was read in."""
    request = submission.request
    task = request.task_type.full_label
    article = "an" if task[0].lower() in "aeiou" else "a"
    priority = f"priority *{request.priority.label}*" if request.priority else "no priority"
    count = len(request.prospect_ids)
    text = (
        f"{_user(submission.requested_by)} asked for {article} *{task}* task"
        f" · due *{describe_date(request.due_date)}* · {priority}"
        f" · {count} prospect{'' if count == 1 else 's'}"
    )
    blocks: list[dict[str, Any]] = [mrkdwn_section(text)]
    if request.task_note:
        # Plain text: the note is the rep's words, shown as typed, never as mentions or links. The request
        # keeps it within NOTE_MAX_CHARS, which is within Slack's TEXT_MAX_CHARS.
        blocks.append({"type": "context", "elements": [plain_text(request.task_note)]})
    if assumed_zone:
        blocks.append({"type": "context", "elements": [plain_text(zone_notice(assumed_zone))]})
    return {"text": text, "blocks": blocks}


def zone_notice(zone: str) -> str:
    return (
        f"Dates were read in {zone}: Slack has not told me your time zone yet. "
        "If that is not yours, check the due date."
    )


def build_results_messages(
    submission: Submission,
    *,
    headline: str | None = None,
    say_what_was_asked: bool = False,
) -> list[dict[str, Any]]:
    """Thread replies: a summary, then one line per prospect in order, as many messages as needed.

    The last message carries the retry button when any prospect was not (surely) created (results are
    only ever reported from what the database holds, so a retry always finds them).
    `say_what_was_asked` starts with who asked for which task (when no parent message says it).
    """
    if not submission.outcomes:
        raise ValueError("a submission has no results before Saleshandy was asked")
    summary = results_summary(submission)
    head = [f"⚠️ {escape_within(headline, HEADLINE_MAX_CHARS)}"] if headline else []
    if submission.interrupted:
        head.append(INTERRUPTED_LINE)
    head.append(f"*{summary}*")
    asked = build_parent_message(submission)["blocks"] if say_what_was_asked else []
    first_blocks = [*asked, mrkdwn_section("\n".join(head))]
    lines = [_outcome_line(submission, outcome, said_above=headline or "") for outcome in submission.outcomes]
    lines += [_not_found_line(missing) for missing in submission.not_found]
    retry = _retry_block(submission) if submission.to_retry else None

    pages = _pack(first_blocks, lines, reserve=retry)
    if retry is not None:
        pages[-1].append(retry)
    fallback = f"{escape_within(headline, HEADLINE_MAX_CHARS)} — {summary}" if headline else summary
    if len(pages) == 1:
        return [{"text": fallback, "blocks": pages[0]}]
    return [
        {"text": f"{fallback} (part {n} of {len(pages)})", "blocks": blocks}
        for n, blocks in enumerate(pages, start=1)
    ]


def results_summary(submission: Submission) -> str:
    """ "2 created · 1 failed · 1 unknown", zero counts left out; "Retry: …" for a retry."""
    parts = [
        f"{_counted(submission, status)} {status.value}"
        for status in OutcomeStatus
        if _counted(submission, status)
    ]
    summary = " · ".join(parts)
    return f"Retry: {summary}" if submission.retry_of else summary


def _counted(submission: Submission, status: OutcomeStatus) -> int:
    not_found = len(submission.not_found) if status is OutcomeStatus.FAILED else 0
    return submission.count(status) + not_found


def build_nobody_found(not_found: Sequence[EmailNotFound]) -> dict[str, Any]:
    """The answer when every prospect was named by an email and none was found: nothing was created."""
    lines = [_not_found_line(missing) for missing in not_found[:NOT_FOUND_SHOWN_MAX]]
    if len(not_found) > NOT_FOUND_SHOWN_MAX:
        lines.append(f"… and {len(not_found) - NOT_FOUND_SHOWN_MAX} more")
    # Each line says why (no such prospect, or the lookup failed): the headline is true of both.
    text = "*Nothing was created:* none of these emails could be matched to a Saleshandy prospect."
    return {"text": text, "blocks": [mrkdwn_section(text), mrkdwn_section("\n".join(lines))]}


def _not_found_line(missing: EmailNotFound) -> str:
    email = escape_within(missing.email, NAME_MAX_CHARS)
    reason = escape_within(missing.reason, REASON_MAX_CHARS)
    return f"{_STATUS_MARK[OutcomeStatus.FAILED]} *{email}* — {reason}"


def build_retry_started_notice(count: int) -> dict[str, Any]:
    """The ephemeral answer to the retry button: the retry is on its way."""
    return build_notice(f"Retrying {count} prospect{'' if count == 1 else 's'}…")


WHY_NOT_RETRIED: dict[RetryRefused, str] = {
    RetryRefused.ALREADY_RETRIED: (
        "These prospects were already retried: the newer results are (or will shortly be) in this "
        "thread. Use the Retry button of the newest results if some failed again."
    ),
    RetryRefused.NOTHING_TO_RETRY: "Every prospect here has its task: there is nothing to retry.",
    RetryRefused.NOT_YOURS: (
        "Only the rep who asked for these tasks can retry them: a retry creates the tasks as that rep, "
        "with their Saleshandy account. Nothing was sent."
    ),
    RetryRefused.NO_KEY: (
        "You have no Saleshandy account connected now, so nothing was retried. Connect it in my Home "
        "tab, then press Retry again."
    ),
    RetryRefused.UNKNOWN_SUBMISSION: (
        "I no longer have the details of these tasks (the app's database was reset), so I cannot "
        "retry them. Run /task again for the prospects that failed."
    ),
}
"""What the retry button says when it does not retry, by reason."""


def build_retry_refused_notice(reason: RetryRefused) -> dict[str, Any]:
    """The ephemeral answer to a retry button that will not retry (already retried, …), and why."""
    return build_notice(WHY_NOT_RETRIED[reason])


def _outcome_line(submission: Submission, outcome: ProspectOutcome, *, said_above: str) -> str:
    line = f"{_STATUS_MARK[outcome.status]} {_prospect(submission, outcome.prospect_id)}"
    if outcome.status is OutcomeStatus.CREATED:
        if outcome.task_id:
            return f"{line} — task {escape_within(outcome.task_id, TASK_ID_MAX_CHARS)}"
        return f"{line} — created"
    reason = outcome.reason or "not created"
    if reason in said_above:  # an account-wide error (bad key, outage): said once at the top
        return f"{line} — {outcome.status.value}, see above"
    line = f"{line} — {escape_within(reason, REASON_MAX_CHARS)}"
    if outcome.status is OutcomeStatus.UNKNOWN and "may have been created" not in reason.lower():
        line = f"{line} ({UNKNOWN_HINT})"
    return line


def _prospect(submission: Submission, prospect_id: str) -> str:
    """`*Jane Doe* (8PvBmrB7P7)`, the name linked when we have a safe link; else `*8PvBmrB7P7*`."""
    prospect = submission.prospect(prospect_id)
    shown_id = escape_mrkdwn(prospect.id)  # an API ID has no markup, but this costs nothing
    name = prospect.display_name
    label = escape_within(name, NAME_MAX_CHARS) if name else shown_id
    url = safe_url(prospect.link)
    shown = f"*<{url}|{label}>*" if url else f"*{label}*"
    return f"{shown} ({shown_id})" if name else shown


def safe_url(link: str | None) -> str | None:
    """`link` escaped for use inside `<…|…>`, or None when it is not a plain http(s) URL."""
    if link is None or not _SAFE_URL.fullmatch(link):
        return None
    escaped = escape_mrkdwn(link)
    return escaped if len(escaped) <= URL_MAX_CHARS else None


def _retry_block(submission: Submission) -> dict[str, Any]:
    failed, unknown = submission.count(OutcomeStatus.FAILED), submission.count(OutcomeStatus.UNKNOWN)
    button: dict[str, Any] = {
        "type": "button",
        "action_id": RETRY_FAILED_ACTION_ID,
        "text": plain_text(f"{_retry_label(failed, unknown)} ({len(submission.to_retry)})"),
        "value": submission.id,
        "style": "primary",
    }
    if unknown:
        button["confirm"] = {
            "title": plain_text("Retry these prospects?"),
            "text": plain_text(
                "Some of these tasks may have been created already. Check Saleshandy first, "
                "or those prospects may get the task twice."
            ),
            "confirm": plain_text("Retry"),
            "deny": plain_text("Cancel"),
        }
    return {"type": "actions", "block_id": RETRY_FAILED_BLOCK_ID, "elements": [button]}


def _retry_label(failed: int, unknown: int) -> str:
    """Says what pressing it retries: an *unknown* task may exist already (the confirm dialog asks to
    check), so the label does not call it failed."""
    if failed and unknown:
        return "Retry failed and unknown"
    return "Retry unknown" if unknown else "Retry failed"


def _pack(
    first_blocks: Sequence[dict[str, Any]], lines: Iterable[str], *, reserve: dict[str, Any] | None
) -> list[list[dict[str, Any]]]:
    """Lines into sections of at most TEXT_MAX_CHARS characters, sections into messages within
    BLOCKS_PER_MESSAGE blocks and MESSAGE_TEXT_BUDGET characters. A line is never split; every
    message keeps room for `reserve` (the block that goes last)."""
    max_blocks = BLOCKS_PER_MESSAGE - (1 if reserve is not None else 0)
    budget = MESSAGE_TEXT_BUDGET - (_text_length(reserve) if reserve is not None else 0)
    pages: list[list[dict[str, Any]]] = []
    blocks = list(first_blocks)
    used = sum(_text_length(block) for block in blocks)
    section: list[str] = []
    section_length = 0

    for line in lines:
        if section and section_length + 1 + len(line) > TEXT_MAX_CHARS:
            blocks.append(mrkdwn_section("\n".join(section)))
            section, section_length = [], 0
        cost = len(line) + (1 if section else 0)
        opens_block = not section
        if used + cost > budget or (opens_block and len(blocks) + 1 > max_blocks):
            if section:
                blocks.append(mrkdwn_section("\n".join(section)))
            pages.append(blocks)
            blocks, used, section, section_length = [], 0, [], 0
            cost = len(line)
        section.append(line)
        section_length += cost
        used += cost
    if section:
        blocks.append(mrkdwn_section("\n".join(section)))
    pages.append(blocks)
    return pages


def _text_length(value: object) -> int:
    """Characters of text in a block, every nested text object counted."""
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else _text_length(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(_text_length(v) for v in value)
    return 0


def _user(user_id: str) -> str:
    return f"<@{user_id}>" if _USER_ID.fullmatch(user_id) else escape_mrkdwn(user_id)


