"""Prospect references from text: API IDs, Saleshandy links, configured CRM links, Slack-formatted links."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from bot.domain import PROSPECT_ID_PATTERN, ProspectRef
from bot.parsing.clean_text import clean_word, show_invisible
from bot.parsing.prospect_ids import looks_like_prospect_id

_SLACK_TOKEN = re.compile(r"<[^<>\s][^<>]*>")
_SPLIT = re.compile(r"[\s,;，；、]+")
_ID_CHARS = re.compile(r"[A-Za-z0-9]+")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
WORD_WRAPPING = ".,;:!?()[]{}\"'`*_~“”‘’«»„"
"""What a rep wraps an ID in: `code`, *bold*, _italic_, ~strike~, quotes, brackets, trailing punctuation."""


def unescape_slack(text: str) -> str:
    """Undo Slack's three escapes (`&amp;`, `&lt;`, `&gt;`); `&amp;` last so nothing is undone twice."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class SlackLink:
    """A `<target|label>` span as Slack sends it: a URL, a mention (`@U…`, `#C…`, `!here`)…"""

    target: str
    label: str | None

    @classmethod
    def parse(cls, token: str) -> SlackLink | None:
        if not (token.startswith("<") and token.endswith(">") and len(token) > 2):
            return None
        target, _, label = token[1:-1].partition("|")
        return cls(unescape_slack(target), unescape_slack(label) if label else None)

    @property
    def is_url(self) -> bool:
        return self.target.lower().startswith(("http://", "https://"))


def _link_id_shape(candidate: str) -> bool:
    """In a Saleshandy link the place already says "this is an ID": any letters-and-digits token with a
    digit or a capital will do (not a page name like "prospects")."""
    return (
        4 <= len(candidate) <= 64
        and _ID_CHARS.fullmatch(candidate) is not None
        and any(ch.isdigit() or ch.isupper() for ch in candidate)
    )


@dataclass(frozen=True)
class ProspectLinkPatterns:
    """Which links name a prospect: any saleshandy.com link by default, plus configured regexes.

    Each configured pattern is searched in the whole URL and must have a named group `id`.
    """

    patterns: tuple[str, ...] = ()
    _compiled: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", tuple(re.compile(p) for p in self.patterns))

    def prospect_id_in(self, url: str) -> str | None:
        """The prospect ID a link points at, or None when it is not a prospect link."""
        for pattern in self._compiled:
            found = pattern.search(url)
            if found and found.group("id") and PROSPECT_ID_PATTERN.fullmatch(found.group("id")):
                return found.group("id")
        return _saleshandy_prospect_id(url)


DEFAULT_LINK_PATTERNS = ProspectLinkPatterns()


def _saleshandy_prospect_id(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host != "saleshandy.com" and not host.endswith(".saleshandy.com"):
        return None
    from_query = parse_qs(parts.query).get("prospectId", [])
    if from_query and _link_id_shape(from_query[0]):
        return from_query[0]
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if not segments or NOT_PROSPECT_SECTIONS.intersection(s.lower() for s in segments[:-1]):
        return None
    return segments[-1] if _link_id_shape(segments[-1]) else None


NOT_PROSPECT_SECTIONS = frozenset(
    {"sequence", "sequences", "template", "templates", "settings", "reports", "analytics",
     "email-accounts", "team", "billing", "unified-inbox", "leads-finder"}
)
"""Saleshandy pages whose last path segment is some other object's ID (a sequence, a template)."""


def split_references(text: str) -> list[str]:
    """Words of `text`, split on spaces, commas, semicolons and new lines, each cleaned (`clean_word`);
    a Slack `<…>` span stays whole (its label may hold spaces)."""
    return [word for word, _ in split_words_as_typed(text)]


def split_words_as_typed(text: str) -> list[tuple[str, str]]:
    """The words of `split_references`, each beside the word as typed (to show what was invisible)."""
    words: list[tuple[str, str]] = []
    position = 0
    for span in _SLACK_TOKEN.finditer(text):
        words.extend(_plain_words(text[position : span.start()]))
        words.append((clean_word(span.group()), span.group()))
        position = span.end()
    words.extend(_plain_words(text[position:]))
    return words


def _plain_words(text: str) -> list[tuple[str, str]]:
    # Slack escapes &, < and > outside its <…> spans; undone first, so "&amp;" is "&", not "&amp" + ";".
    typed = (word for word in _SPLIT.split(unescape_slack(text)) if word)
    return [(cleaned, word) for word in typed if (cleaned := clean_word(word))]


def prospect_from_word(
    word: str, links: ProspectLinkPatterns = DEFAULT_LINK_PATTERNS, *, lenient_ids: bool = False
) -> ProspectRef | None:
    """The prospect one word names (an ID, a prospect link, a Slack-formatted link), or None.

    `lenient_ids` is for a field that holds nothing but prospects: there any token with a digit or an
    inner capital is taken as an ID too (`Q4Review`), and Saleshandy has the last word.
    """
    slack_link = SlackLink.parse(word)
    if slack_link is not None:
        if not slack_link.is_url:
            return None
        return _prospect_from_url(slack_link.target, slack_link.label, links)
    if _URL.fullmatch(word):
        return _prospect_from_url(unescape_slack(word), None, links)
    bare = word.strip(WORD_WRAPPING)
    looks_like = _looks_like_id_in_a_prospects_field if lenient_ids else looks_like_prospect_id
    return ProspectRef(id=bare) if looks_like(bare) else None


def _looks_like_id_in_a_prospects_field(word: str) -> bool:
    if not (6 <= len(word) <= 16 and _ID_CHARS.fullmatch(word)) or word.isdigit():
        return False
    mixed = any(ch.isdigit() for ch in word) or any(ch.isupper() for ch in word[1:])
    return mixed or looks_like_prospect_id(word)


def _prospect_from_url(url: str, label: str | None, links: ProspectLinkPatterns) -> ProspectRef | None:
    url = url.rstrip(".,;)")
    prospect_id = links.prospect_id_in(url)
    if prospect_id is None:
        return None
    name = label if label and label.strip() and label.strip() != url else None
    return ProspectRef(id=prospect_id, display_name=name.strip() if name else None, link=url)


_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def email_from_word(word: str) -> str | None:
    """The email address one word is (`jane@acme.com`, `mailto:…`, Slack's `<mailto:…|…>`), lower-cased."""
    slack_link = SlackLink.parse(word)
    target = slack_link.target if slack_link is not None else unescape_slack(word).strip(WORD_WRAPPING)
    if target.lower().startswith("mailto:"):
        target = target[len("mailto:") :].split("?", 1)[0]
    return target.lower() if _EMAIL.fullmatch(target) else None


def dedupe_emails(emails: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(emails))


@dataclass(frozen=True)
class ProspectScan:
    """The prospects found in a text, deduplicated in order, the emails to look up, and the words that
    named neither."""

    prospects: tuple[ProspectRef, ...]
    unrecognised: tuple[str, ...]
    emails: tuple[str, ...] = ()
    unrecognised_as_typed: tuple[str, ...] = ()
    """The unrecognised words as typed, invisible characters written out (`bob[U+200B]`)."""


def dedupe_prospects(prospects: Iterable[ProspectRef]) -> tuple[ProspectRef, ...]:
    """One entry per ID, in the order of first mention; the first mention's name, or failing that
    the first name a later mention gives (an ID typed bare, then found by email with a name)."""
    kept: dict[str, ProspectRef] = {}
    for prospect in prospects:
        first = kept.setdefault(prospect.id, prospect)
        if first.display_name is None and prospect.display_name is not None:
            kept[prospect.id] = first.model_copy(update={"display_name": prospect.display_name})
    return tuple(kept.values())


def parse_prospect_refs(
    text: str, *, links: ProspectLinkPatterns = DEFAULT_LINK_PATTERNS, lenient_ids: bool = False
) -> ProspectScan:
    """Every prospect named in `text` (the modal's prospects field, a message), and what named none."""
    found: list[ProspectRef] = []
    emails: list[str] = []
    unrecognised: list[tuple[str, str]] = []
    for word, typed in split_words_as_typed(text):
        prospect = prospect_from_word(word, links, lenient_ids=lenient_ids)
        email = None if prospect else email_from_word(word)
        if prospect is not None:
            found.append(prospect)
        elif email is not None:
            emails.append(email)
        else:
            unrecognised.append((word, show_invisible(typed)))
    return ProspectScan(
        dedupe_prospects(found),
        tuple(word for word, _ in unrecognised),
        dedupe_emails(emails),
        tuple(shown for _, shown in unrecognised),
    )
