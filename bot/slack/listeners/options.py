"""The prospect picker's suggestions: Slack asks as the rep types, and gives up after 3 seconds.

The search runs on a few threads of its own, waited for at most `SUGGESTION_BUDGET_SECONDS`: a slow,
failing or rate-limited Saleshandy answers the rep with no suggestions (the free-text field still
works), never with an error. A search that finishes late still fills the client's short-lived cache,
so the rep's next keystroke with the same text answers at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.domain import PROSPECT_ID_PATTERN
from bot.saleshandy import FoundProspect, SaleshandyError
from bot.service import SUGGESTIONS_MAX, Acting, worth_suggesting
from bot.slack import ids
from bot.slack.blocks.modal import prospect_option
from bot.slack.deps import AppDeps
from bot.store import StoreUnavailableError

logger = logging.getLogger(__name__)

SUGGESTION_BUDGET_SECONDS = 2.0
"""Longest wait for the search. Slack drops suggestions not answered within 3 s of sending the
request, and the answer still has to travel back: 2 s leaves a second for that."""


def register(app: App) -> None:
    app.options(ids.PROSPECT_PICKER_ACTION_ID)(handle_prospect_suggestions)


def handle_prospect_suggestions(
    ack: Ack, body: dict[str, Any], context: BoltContext, deps: AppDeps
) -> None:
    """`block_suggestion` for the picker: `{"options": [...]}`, possibly empty, within the budget; searched
    with the key the rep's submission would use."""
    value = body.get("value")
    text = value if isinstance(value, str) else ""
    acting = None
    if worth_suggesting(text):
        try:
            acting = deps.accounts.acting_for(context.team_id or "", body["user"]["id"])
        except StoreUnavailableError:
            logger.warning("prospect suggestions: the database is unavailable; none suggested")
    ack(options=suggestions(deps, text, acting=acting))


def suggestions(
    deps: AppDeps, text: str, *, acting: Acting | None, budget: float = SUGGESTION_BUDGET_SECONDS
) -> list[dict[str, Any]]:
    """The options for `text`: none for a query shorter than Slack's minimum (no call made), for a rep
    with no key, when the search fails, or when it does not finish within `budget` seconds."""
    if acting is None or not worth_suggesting(text):
        return []
    # On the runner's few search threads: a search that outlives its budget keeps its thread until the
    # client's own timeout, and searches still queued when their budget ends are cancelled, so a slow
    # API cannot pile up work.
    future = deps.runner.suggest(lambda: deps.service.suggest_prospects(text, acting=acting))
    try:
        found = future.result(timeout=budget)
    except FutureTimeoutError:
        future.cancel()  # still queued behind slower searches: never sent
        logger.warning(
            "prospect suggestions: no answer from Saleshandy within %.1fs; none suggested", budget
        )
        return []
    except SaleshandyError as error:
        logger.warning("prospect suggestions: the search failed (%s); none suggested", error)
        return []
    except Exception:
        logger.exception("prospect suggestions: unexpected failure; none suggested")
        return []
    return prospect_options(found)


def prospect_options(found: Iterable[FoundProspect]) -> list[dict[str, Any]]:
    """Up to SUGGESTIONS_MAX options, each ID once, in the search's order. A prospect whose ID could not
    make a task (not an ID's shape, which also keeps it far within OPTION_VALUE_MAX_CHARS) is left out."""
    options: list[dict[str, Any]] = []
    seen: set[str] = set()
    for prospect in found:
        if prospect.id in seen or not PROSPECT_ID_PATTERN.fullmatch(prospect.id):
            continue
        seen.add(prospect.id)
        options.append(prospect_option(prospect.id, prospect.label))
        if len(options) == SUGGESTIONS_MAX:
            break
    return options
