import datetime

from bot.domain import DraftField, Priority, ProblemKind, ProspectRef, TaskType
from bot.parsing.form import parse_form
from bot.slack.blocks.modal import PROSPECTS_MAX_CHARS
from bot.slack.forms import prospects_field

TODAY = datetime.date(2026, 11, 28)


def form(prospects: str, **fields: object) -> object:
    values: dict[str, object] = {
        "task_type_code": "13",
        "prospects_text": prospects,
        "due_date": None,
        "priority_code": None,
        "note": None,
        "today": TODAY,
    }
    return parse_form(**(values | fields))  # type: ignore[arg-type]


def test_a_complete_form_is_a_ready_draft_due_today_when_no_date_is_picked() -> None:
    draft = parse_form(
        task_type_code="12",
        prospects_text="8PvBmrB7P7\nPr9xQ2Lm",
        due_date=None,
        priority_code="1",
        note="  bring slides ",
        today=TODAY,
        known_names={"Pr9xQ2Lm": "Jane"},
    )
    assert draft.is_ready
    assert (draft.task_type, draft.priority, draft.due_date, draft.note) == (
        TaskType.CALL_DEMO,
        Priority.URGENT,
        TODAY,
        "bring slides",
    )
    assert draft.prospects[1] == ProspectRef(id="Pr9xQ2Lm", display_name="Jane")


def test_the_prospects_field_takes_ids_that_free_text_would_doubt() -> None:
    draft = form("eRxFjTdWpo JxilBtsj87 BusmPlDpk6")
    assert [p.id for p in draft.prospects] == ["eRxFjTdWpo", "JxilBtsj87", "BusmPlDpk6"]  # type: ignore[attr-defined]


def test_plain_words_in_the_prospects_field_are_a_problem_on_that_field() -> None:
    draft = form("8PvBmrB7P7 bob hello")
    [problem] = draft.problems  # type: ignore[attr-defined]
    assert (problem.kind, problem.field) == (ProblemKind.UNKNOWN_WORD, DraftField.PROSPECTS)
    assert "“bob”, “hello”" in problem.message


def test_a_past_date_is_a_problem_on_the_date() -> None:
    draft = form("8PvBmrB7P7", due_date=datetime.date(2026, 11, 27))
    assert [p.field for p in draft.problems] == [DraftField.DUE_DATE]  # type: ignore[attr-defined]


def test_hundreds_of_linked_prospects_are_prefilled_as_ids_so_they_fit_the_field() -> None:
    prospects = [
        ProspectRef(id=f"Pv{n:04d}Qx", link=f"https://my.saleshandy.com/prospects/Pv{n:04d}Qx")
        for n in range(250)
    ]
    field = prospects_field(prospects)
    assert len(field.text) <= PROSPECTS_MAX_CHARS and field.kept == ()
    assert field.text.splitlines() == [p.id for p in prospects]
    few = prospects_field(prospects[:3], words=["bob"])
    assert few.text.splitlines() == [p.link for p in prospects[:3]] + ["bob"]


def test_what_the_field_cannot_hold_is_kept_in_order_never_dropped() -> None:
    prospects = [ProspectRef(id=f"Pv{n:06d}Qx") for n in range(400)]  # 11 characters a line: 4,399 in all
    field = prospects_field(prospects, words=["Jane", "Doe"])
    shown = field.text.splitlines()
    assert len(field.text) <= PROSPECTS_MAX_CHARS
    assert shown + [p.id for p in field.kept] == [p.id for p in prospects]  # each once, in order
    assert len(shown) == 272  # as many as fit; the words to fix are listed in the notices instead
    with_emails = prospects_field(prospects, ["jane@acme.com"], ["Jane"])
    lines = with_emails.text.splitlines()
    assert lines[0] == "jane@acme.com"  # emails are prospects too: always in the field, never dropped
    assert lines[1:] + [p.id for p in with_emails.kept] == [p.id for p in prospects]
