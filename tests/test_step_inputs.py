"""The Workflow Builder step's inputs read into a draft, what the step says when they cannot be read, and
the outputs it completes with."""

import datetime

import pytest

from bot.domain import (
    CreateTaskRequest,
    DraftField,
    EmailNotFound,
    Priority,
    ProblemKind,
    ProspectOutcome,
    ProspectRef,
    Submission,
    TaskDraft,
    TaskType,
)
from bot.parsing.step_inputs import parse_step_inputs
from bot.slack.workflow_step import inputs_problem, nothing_created, step_outputs

TODAY = datetime.date(2026, 11, 28)  # a Saturday


def step(prospects: str = "8PvBmrB7P7", **inputs: str | None) -> TaskDraft:
    values: dict[str, str | None] = {
        "task_type_text": "call",
        "due_text": None,
        "priority_text": None,
        "note": None,
    }
    return parse_step_inputs(prospects_text=prospects, today=TODAY, **(values | inputs))  # type: ignore[arg-type]


def test_inputs_read_with_the_commands_vocabulary_and_dates() -> None:
    draft = step(
        "8PvBmrB7P7\nhttps://my.saleshandy.com/prospects/Pr9xQ2Lm\njane@acme.com",
        task_type_text="li msg",
        due_text="next tue",
        priority_text="P2",
        note="  from <https://acme.com|the form> ",
    )
    assert draft.is_ready and inputs_problem(draft) is None
    assert (draft.task_type, draft.priority, draft.due_date) == (
        TaskType.LINKEDIN_MESSAGE,
        Priority.HIGH,
        datetime.date(2026, 12, 1),
    )
    assert [p.id for p in draft.prospects] == ["8PvBmrB7P7", "Pr9xQ2Lm"]
    assert draft.emails == ("jane@acme.com",)
    assert draft.note == "from the form (https://acme.com)"


def test_empty_optional_inputs_are_the_forms_defaults() -> None:
    draft = step(due_text="  ", priority_text="", note=None)
    assert draft.is_ready
    assert (draft.due_date, draft.due_date_given, draft.priority, draft.note) == (TODAY, False, None, None)


def test_a_whole_message_gives_its_links_and_ids_and_its_other_words_are_skipped() -> None:
    message = (
        "New lead from the webinar: <https://my.saleshandy.com/prospects/Pr9xQ2Lm|Jane Doe> (Acme)\n"
        "also 8PvBmrB7P7 and bob@acme.com, call them on Monday"
    )
    draft = step(message)
    assert draft.is_ready
    assert draft.prospects == (
        ProspectRef(id="Pr9xQ2Lm", display_name="Jane Doe", link="https://my.saleshandy.com/prospects/Pr9xQ2Lm"),
        ProspectRef(id="8PvBmrB7P7"),
    )
    assert draft.emails == ("bob@acme.com",)


def test_a_list_line_that_tries_to_name_a_prospect_and_does_not_fails_the_step_naming_the_input() -> None:
    draft = step("8PvBmrB7P7\nbob@acme\n8PvB7\nhttps://acme.com/team\n")
    assert not draft.is_ready
    assert [(p.kind, p.field) for p in draft.problems] == [(ProblemKind.UNKNOWN_WORD, DraftField.PROSPECTS)]
    problem = inputs_problem(draft)
    assert problem is not None
    assert problem.startswith("The step's inputs could not be read.")
    assert (
        "Prospects: Not a prospect ID, Saleshandy link or email: “bob@acme”, “8PvB7”, “https://acme.com/team”"
        in problem
    )
    assert problem.endswith("Fix them in Workflow Builder.")


LINK = "https://my.saleshandy.com/prospects/8PvBmrB7P7"
INBOUND_MESSAGES = {
    "greeting and thanks": f"Hi team,\n<{LINK}>\nThanks!",
    "one-word greeting and sign-off": f"Hi\n<{LINK}|Jane Doe>\nThanks\nAnn",
    "emoji lines": f":wave:\n<{LINK}|Jane Doe>\n🙏",
    "signature with a phone number": (
        f"Hey all, new inbound lead: <{LINK}|Jane Doe>\n\n--\nAnn Lee | Acme Corp | +1 555 010 0199\nCheers"
    ),
    "a link and the email it came from": f"New lead!!\n<{LINK}|Jane Doe>\n<mailto:bob@acme.com|bob@acme.com>",
}


@pytest.mark.parametrize("message", INBOUND_MESSAGES.values(), ids=INBOUND_MESSAGES.keys())
def test_an_inbound_message_gives_its_prospects_and_its_other_words_are_skipped(message: str) -> None:
    draft = step(message)
    assert draft.is_ready and draft.problems == ()
    assert [p.id for p in draft.prospects] == ["8PvBmrB7P7"]
    assert draft.emails == (("bob@acme.com",) if "mailto" in message else ())


def test_a_mailto_link_alone_on_each_line_is_a_list_of_emails() -> None:
    draft = step("<mailto:bob@acme.com|bob@acme.com>\n<mailto:Jane@Acme.com|Jane>")
    assert draft.is_ready and draft.emails == ("bob@acme.com", "jane@acme.com")


def test_a_message_that_names_no_prospect_fails_saying_what_to_put_there() -> None:
    draft = step("Hi team,\nanother lead came in, please call them\nThanks!")
    assert not draft.is_ready and draft.prospects == () and draft.emails == ()
    problem = inputs_problem(draft)
    assert problem is not None
    assert "Prospects names no prospect. Give Saleshandy prospect IDs, links or emails" in problem
    assert "Thanks" not in problem


def test_each_unreadable_input_is_named_with_how_to_fix_it() -> None:
    draft = step("", task_type_text="carrier pigeon", due_text="someday soon", priority_text="whenever")
    problem = inputs_problem(draft)
    assert problem is not None
    assert "Prospects names no prospect" in problem
    assert "Task type: “carrier pigeon” is not a task type I know. Use one like call, demo" in problem
    assert "Due date: " in problem
    assert "Priority: “whenever” is not a priority" in problem


def test_an_empty_task_type_and_a_past_date_are_said() -> None:
    problem = inputs_problem(step(task_type_text=" ", due_text="2026-11-20"))
    assert problem is not None
    assert "Task type is empty." in problem
    assert "Due date: Fri 20 Nov 2026 is in the past; use today (Sat 28 Nov 2026) or later." in problem


def test_a_type_the_api_lacks_gets_the_commands_hint() -> None:
    problem = inputs_problem(step(task_type_text="email"))
    assert problem is not None and "Saleshandy's API creates no email tasks" in problem


def test_a_note_too_long_is_said() -> None:
    problem = inputs_problem(step(note="x" * 2001))
    assert problem is not None and "Note: The note is 2001 characters long" in problem


def test_an_unreadable_input_is_quoted_short_with_invisible_characters_written_out() -> None:
    problem = inputs_problem(step(task_type_text="call\u200b" + "z" * 80))
    assert problem is not None
    assert "“call[U+200B]" in problem and "z" * 50 not in problem


def submission(*outcomes: ProspectOutcome, not_found: tuple[EmailNotFound, ...] = ()) -> Submission:
    ids = tuple(o.prospect_id for o in outcomes)
    return Submission(
        id="s1",
        request=CreateTaskRequest(prospect_ids=ids, task_type=TaskType.CALL_OTHER, due_date=TODAY),
        prospects=tuple(ProspectRef(id=i) for i in ids),
        requested_by="U1",
        outcomes=outcomes,
        not_found=not_found,
    )


def test_outputs_count_every_outcome_and_list_the_created_task_ids() -> None:
    missing = (EmailNotFound("x@acme.com", "no prospect has this email"),)
    done = submission(
        ProspectOutcome.created("8PvBmrB7P7", "T1"),
        ProspectOutcome.failed("Pr9xQ2Lm", "not found"),
        ProspectOutcome.unknown("Qs0yR3Mn", "timed out"),
        ProspectOutcome.created("Rt1zS4No", "T2"),
        not_found=missing,
    )
    assert step_outputs(done, missing) == {
        "created_count": 2,
        "failed_count": 2,
        "unknown_count": 1,
        "task_ids": "T1\nT2",
    }


def test_nothing_created_says_the_counts() -> None:
    outputs = step_outputs(
        submission(ProspectOutcome.failed("8PvBmrB7P7", "no"), ProspectOutcome.unknown("Pr9xQ2Lm", "?")), ()
    )
    assert nothing_created(outputs) == (
        "No Saleshandy task was created (1 failed; 1 unknown: they may exist, check Saleshandy before "
        "running it again). The results say why for each prospect."
    )
    nobody = step_outputs(None, (EmailNotFound("x@acme.com", "no"),))
    assert nobody["created_count"] == 0 and nobody["failed_count"] == 1 and nobody["task_ids"] == ""
