"""Many prospects, one create-task request per chunk of them (the API names no limit: docs/saleshandy-api.md,
"Behaviour seen in practice"), and what the requests did, prospect by prospect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain import ProspectOutcome
from bot.saleshandy.errors import SaleshandyError
from bot.saleshandy.responses import ProspectVerdict


@dataclass(frozen=True, slots=True)
class CreateTasksResult:
    """What `create_tasks` did: one outcome per prospect in input order, and what went wrong."""

    outcomes: tuple[ProspectOutcome, ...]
    """The outcomes of prospects whose request failed carry no reason: the error in `errors` is why."""
    errors: tuple[SaleshandyError, ...]
    """Distinct request-level errors (the same facts once), for a headline message."""
    requests_sent: int
    """Requests that reached Saleshandy, retries included; connections that never opened are not."""
    verdicts: Mapping[str, ProspectVerdict] = field(default_factory=dict)
    """Why each prospect an answer named is not CREATED (its outcome has no reason of its own)."""


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What one create-task request did: an outcome per prospect, and its error if it failed (then every
    outcome is the error's, with no reason of its own: the error is why)."""

    outcomes: tuple[ProspectOutcome, ...]
    error: SaleshandyError | None
    requests_sent: int
    verdicts: Mapping[str, ProspectVerdict] = field(default_factory=dict)
    """Why each prospect the answer named is not CREATED (its outcome has no reason of its own)."""


def in_chunks(prospect_ids: Sequence[str], size: int) -> list[tuple[str, ...]]:
    """The IDs in order, `size` at a time (the last chunk may be shorter)."""
    return [tuple(prospect_ids[start : start + size]) for start in range(0, len(prospect_ids), size)]


def outcomes_for_error(chunk: Sequence[str], error: SaleshandyError) -> tuple[ProspectOutcome, ...]:
    """Each prospect of a request that met `error`: UNKNOWN if the request may have landed, else FAILED."""
    return tuple(ProspectOutcome(pid, error.outcome_status) for pid in chunk)


def distinct(errors: Sequence[SaleshandyError]) -> tuple[SaleshandyError, ...]:
    """The first error of each set of facts, in order."""
    first: dict[tuple[object, ...], SaleshandyError] = {}
    for error in errors:
        first.setdefault(error.facts, error)
    return tuple(first.values())
