"""The whole text of a /task command. (Being written.)"""

import datetime

from bot.domain import TaskDraft


def parse_command(text: str, *, today: datetime.date, day_first: bool = False) -> TaskDraft:
    return TaskDraft(due_date=today)
