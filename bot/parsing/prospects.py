"""Prospect references (IDs, links) from text. (Being written.)"""

from dataclasses import dataclass

from bot.domain import ProspectRef


@dataclass(frozen=True)
class ProspectLinkPatterns:
    patterns: tuple[str, ...] = ()


def parse_prospect_refs(text: str, *, links: ProspectLinkPatterns | None = None) -> list[ProspectRef]:
    return []
