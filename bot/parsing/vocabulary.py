"""Task types and priorities from the words reps type. (Being written.)"""

from bot.domain import Priority, TaskType


def parse_priority(text: str) -> Priority | None:
    return None


def parse_task_type(text: str) -> TaskType | None:
    return None
