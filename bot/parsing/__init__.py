"""Fuzzy text to domain values. Pure: no I/O, and no clock (callers pass `today`)."""

from bot.parsing.command import parse_command
from bot.parsing.dates import match_due_date, parse_due_date
from bot.parsing.errors import ParseError
from bot.parsing.prospects import ProspectLinkPatterns, parse_prospect_refs
from bot.parsing.vocabulary import parse_priority, parse_task_type

__all__ = [
    "ParseError",
    "ProspectLinkPatterns",
    "match_due_date",
    "parse_command",
    "parse_due_date",
    "parse_priority",
    "parse_prospect_refs",
    "parse_task_type",
]
