"""`/task help`: the grammar, examples, and the words the parser knows, from its own vocabulary."""

from __future__ import annotations

from typing import Any

from bot.domain import ChannelGroup, Priority, TaskType
from bot.parsing.vocabulary import PRIORITY_SYNONYMS, TASK_TYPE_SYNONYMS
from bot.slack.blocks.elements import mrkdwn_section
from bot.slack.blocks.text import escape_mrkdwn
from bot.slack.ids import TASK_COMMAND

SYNONYMS_SHOWN = 3
GRAMMAR = f"{TASK_COMMAND} <type> <prospects> [due date] [priority] [note: …]"
EXAMPLES = (
    f"{TASK_COMMAND} call follow-up tomorrow high 8PvBmrB7P7",
    f"{TASK_COMMAND} li msg next fri <link> note: mention the webinar",
    f"{TASK_COMMAND} demo in 3 business days urgent 8PvBmrB7P7, Pr9xQ2Lm",
    f"{TASK_COMMAND} connect 8PvBmrB7P7 Pr9xQ2Lm",
    f'{TASK_COMMAND} wa call 8PvBmrB7P7 friday p3 "ask about pricing"',
)
DATE_EXAMPLES = ("today", "tomorrow", "fri", "next fri", "in 3 days", "in 2 business days",
                 "15 dec", "2026-12-15")


def build_help_message() -> dict[str, Any]:
    """The ephemeral answer to `/task help`."""
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Create Saleshandy tasks"}},
        mrkdwn_section(
            f"{_code(GRAMMAR)}\nWords in any order; a task type and at least one prospect are "
            "all it needs."
        ),
        mrkdwn_section("*Examples*\n" + "\n".join(_code(example) for example in EXAMPLES)),
        mrkdwn_section("*Task types*\n" + "\n".join(_group_line(group) for group in ChannelGroup)),
        mrkdwn_section("*Priorities* (optional)\n" + "\n".join(_priority_line(p) for p in Priority)),
        mrkdwn_section(
            "*Due dates* (optional)\n"
            + ", ".join(_code(example) for example in DATE_EXAMPLES)
            + "\nWith no date the task is due today, in your time zone."
        ),
        mrkdwn_section(
            "*Prospects*\nSaleshandy prospect IDs (like `8PvBmrB7P7`) or links to them, "
            "separated by spaces or commas.\n"
            f"*Note* (optional)\nEverything after {_code('note:')} or {_code('--')}, "
            "or words in \"quotes\"."
        ),
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"Run {_code(TASK_COMMAND)} alone for a form."}
            ],
        },
    ]
    return {"text": f"How to use {TASK_COMMAND}: {escape_mrkdwn(GRAMMAR)}", "blocks": blocks}


def _group_line(group: ChannelGroup) -> str:
    types = [t for t in TaskType if t.group is group]
    return f"*{group.label}*: " + " · ".join(
        f"{escape_mrkdwn(t.label)} ({', '.join(_code(w) for w in _few(t))})"
        for t in types
    )


def _priority_line(priority: Priority) -> str:
    # Bare digits mean a priority only after "priority", so they are not offered as words here.
    p_code = f"p{priority.code}"
    words = [w for w in PRIORITY_SYNONYMS[priority] if not w.isdigit() and w != p_code]
    return f"{priority.label}: " + ", ".join(_code(w) for w in [*words[:SYNONYMS_SHOWN], p_code])


def _few(task_type: TaskType) -> tuple[str, ...]:
    """The first few words for a type: the vocabulary lists the likeliest first."""
    return TASK_TYPE_SYNONYMS[task_type][:SYNONYMS_SHOWN]


def _code(text: str) -> str:
    return f"`{escape_mrkdwn(text)}`"

