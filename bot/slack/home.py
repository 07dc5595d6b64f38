"""What a rep's Home tab shows, gathered from the accounts and the submissions, and published; and the
"connect first" answer for a rep with no Saleshandy key (the draft kept for one click later)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import OutcomeStatus, TaskDraft
from bot.parsing.dates import parse_due_date
from bot.parsing.errors import ParseError
from bot.parsing.prospects import dedupe_prospects
from bot.slack.blocks.home import (
    HomeState,
    KeptDraftLine,
    RecentSubmission,
    build_home_view,
    describe_what,
)
from bot.slack.blocks.modal import ModalPrefill
from bot.slack.deps import AppDeps
from bot.store import KeptDraft, StoredSubmission, StoreUnavailableError, SubmissionState

logger = logging.getLogger(__name__)

RECENT_SHOWN = 10


def publish_home(client: WebClient, deps: AppDeps, *, team_id: str, user_id: str) -> None:
    """Publish `user_id`'s Home tab as it is now (Slack errors are logged: the tab keeps its last view)."""
    try:
        state = home_state(deps, team_id=team_id, user_id=user_id, admin=is_workspace_admin(client, user_id))
        view = build_home_view(state)
    except StoreUnavailableError:
        logger.exception("could not read a rep's Home tab from the database")
        return
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        logger.warning("views.publish failed: %s", error.response.get("error"))


def is_workspace_admin(client: WebClient, user_id: str) -> bool:
    """Whether Slack says `user_id` is an admin or owner of the workspace (False when it cannot say)."""
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as error:
        logger.warning("users.info failed: %s", error.response.get("error"))
        return False
    return bool(user.get("is_admin") or user.get("is_owner"))


def home_state(deps: AppDeps, *, team_id: str, user_id: str, admin: bool = False) -> HomeState:
    accounts = deps.accounts
    connected = accounts.is_connected(team_id, user_id)
    acting = accounts.acting_for(team_id, user_id)
    draft = deps.drafts.latest(team_id, user_id)
    return HomeState(
        connected=connected,
        workspace_key=acting is not None,
        can_connect=accounts.can_keep_keys,
        draft=KeptDraftLine(draft.token, draft_what(draft)) if draft is not None else None,
        recent=tuple(
            recent_line(stored) for stored in deps.store.recent(team_id, user_id, limit=RECENT_SHOWN)
        ),
        defaults=deps.defaults.get(team_id, user_id),
        admin=admin,
        workspace_key_kept=admin and accounts.workspace_key_kept(team_id),
        workspace_key_configured=accounts.has_configured_workspace_key,
    )


def draft_what(draft: KeptDraft) -> str:
    return describe_what(
        draft.task.task_type.full_label, draft.task.due_date, len(draft.prospects), len(draft.emails)
    )


def recent_line(stored: StoredSubmission) -> RecentSubmission:
    submission = stored.submission
    if submission is not None:
        request = submission.request
        what = describe_what(request.task_type.full_label, request.due_date, len(submission.prospects))
        counts = [submission.count(status) for status in OutcomeStatus]
    else:
        task = stored.task
        named = len(stored.prospects) + len(stored.emails)
        what = describe_what(task.task_type.full_label, task.due_date, named) if task else "a task"
        counts = [0, len(stored.not_found), 0]
    if stored.retry_of is not None:
        what = f"retry: {what}"
    return RecentSubmission(
        when=stored.created_at,
        what=what,
        created=counts[0],
        failed=counts[1],
        unknown=counts[2],
        link=thread_link(stored.reply_to),
        finished=stored.state is SubmissionState.DONE,
    )


def thread_link(reply_to: dict[str, object]) -> str | None:
    """The results' thread, as Slack's archive link (it opens in the client for a member)."""
    channel, ts = reply_to.get("channel"), reply_to.get("thread_ts")
    if not isinstance(channel, str) or not isinstance(ts, str) or reply_to.get("in_channel") is False:
        return None
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def keep_draft(
    deps: AppDeps,
    draft: TaskDraft,
    *,
    team_id: str,
    user_id: str,
    reply_to: dict[str, object],
    announce: bool,
) -> bool:
    """Keep a ready draft for a rep with no key; whether it could be kept."""
    try:
        deps.drafts.keep(
            team_id=team_id,
            user_id=user_id,
            task=draft.task_fields(),
            prospects=dedupe_prospects(draft.prospects),
            emails=draft.emails,
            reply_to=dict(reply_to),
            announce=announce,
        )
    except StoreUnavailableError:
        logger.exception("could not keep a draft for a rep without a Saleshandy key")
        return False
    return True


def with_defaults(
    deps: AppDeps,
    prefill: ModalPrefill,
    *,
    team_id: str | None,
    user_id: str,
    today: Callable[[], datetime.date],
) -> ModalPrefill:
    """The form's prefill, with the rep's defaults where it says nothing (a due date in the rep's words
    that no longer reads as a date is left out: the form then says today). `today` is asked only when a
    default due date needs it (it may ask Slack for the rep's zone)."""
    try:
        defaults = deps.defaults.get(team_id or "", user_id)
    except StoreUnavailableError:
        logger.exception("could not read a rep's form defaults")
        return prefill
    if defaults.empty:
        return prefill
    due = prefill.due_date
    if due is None and defaults.due_text:
        try:
            due = parse_due_date(defaults.due_text, today=today(), day_first=deps.settings.day_first)
        except ParseError:
            due = None
    return replace(
        prefill,
        task_type=prefill.task_type or defaults.task_type,
        priority=prefill.priority or defaults.priority,
        due_date=due,
    )
