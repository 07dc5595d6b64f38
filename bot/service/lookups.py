"""Prospects found by email (for a submission) or by text (for the form's picker), through the client."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from bot.domain import EmailNotFound, ProspectRef
from bot.saleshandy import FoundProspect, SaleshandyClient, SaleshandyError
from bot.service.ports import ServiceVerdict
from bot.service.runner import BackgroundRunner

SayNotFound = Callable[[SaleshandyError | ServiceVerdict], str]
"""Why an email gave no prospect, in the edge's words (`Reporter.say_email_not_found`)."""
SUGGESTIONS_MAX = 20
"""Prospects suggested at most for one query of the picker: one search page of 20."""
SUGGESTION_MIN_CHARS = 2
"""Shorter queries match too much to be worth a call."""


def worth_suggesting(text: str) -> bool:
    """Whether the picker's `text` is long enough (blanks aside) to search for."""
    return len(" ".join(text.split())) >= SUGGESTION_MIN_CHARS


class ProspectLookups:
    def __init__(self, client: SaleshandyClient | None, runner: BackgroundRunner) -> None:
        self._client = client
        """Used when a call names no client of its own (the command line's one key)."""
        self._runner = runner

    def find_by_email(
        self,
        emails: Sequence[str],
        *,
        say_not_found: SayNotFound,
        client: SaleshandyClient | None = None,
    ) -> tuple[tuple[ProspectRef, ...], tuple[EmailNotFound, ...]]:
        """The prospects these emails belong to (named "Jane Doe · Acme · jane@acme.com"), and those
        not found, each with why said by `say_not_found` (the edge's words). Lookups run a few at
        a time on the runner's lookup lane; the client keeps them within the rate limit, and its cache
        makes each distinct email one API call at most."""
        using = client or self._client
        if using is None:
            return (), tuple(EmailNotFound(email, say_not_found(ServiceVerdict.NO_KEY)) for email in emails)
        look_up = partial(self._look_up, using, say_not_found=say_not_found)
        futures = [self._runner.lookup(partial(look_up, email)) for email in emails]
        answers = [future.result() for future in futures]
        found = tuple(prospect for prospect, _ in answers if prospect is not None)
        return found, tuple(missing for _, missing in answers if missing is not None)

    def suggest(self, text: str, *, client: SaleshandyClient | None = None) -> tuple[FoundProspect, ...]:
        """Prospects whose name or email contain `text` (up to 20, in the API's order), for the
        prospect picker: one search (kept briefly by the client's cache). No call, and nothing, for
        text shorter than 2 characters (blanks aside). Raises the client's SaleshandyError."""
        using = client or self._client
        if using is None or not worth_suggesting(text):
            return ()
        result = using.search_prospects(text, page_size=SUGGESTIONS_MAX)
        return result.prospects[:SUGGESTIONS_MAX]

    def _look_up(
        self, client: SaleshandyClient, email: str, *, say_not_found: SayNotFound
    ) -> tuple[ProspectRef | None, EmailNotFound | None]:
        try:
            prospect = client.find_prospect_by_email(email)
        except SaleshandyError as error:
            return None, EmailNotFound(email, say_not_found(error))
        if prospect is None:
            return None, EmailNotFound(email, say_not_found(ServiceVerdict.NO_PROSPECT_WITH_EMAIL))
        return ProspectRef(id=prospect.id, display_name=prospect.label), None
