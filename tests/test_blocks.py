import datetime
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Option

from bot.domain import (
    NOTE_MAX_CHARS,
    ChannelGroup,
    CreateTaskRequest,
    DraftField,
    Priority,
    ProspectOutcome,
    ProspectRef,
    Submission,
    TaskType,
)
from bot.parsing.form import parse_form
from bot.parsing.vocabulary import TASK_TYPE_SYNONYMS
from bot.saleshandy import FoundProspect
from bot.service import RetryRefused
from bot.slack import ids
from bot.slack.blocks.help import build_help_message
from bot.slack.blocks.modal import (
    ModalPrefill,
    ModalValues,
    build_modal_errors,
    build_task_modal,
    prospect_option,
    read_modal_values,
)
from bot.slack.blocks.notices import (
    build_notice,
    build_redirected_results_intro,
)
from bot.slack.blocks.results import (
    build_parent_message,
    build_results_messages,
    build_retry_refused_notice,
    build_retry_started_notice,
)
from bot.slack.listeners.options import prospect_options
from tests.helpers.block_kit import (
    TEXT_MAX,
    all_options,
    assert_valid_message,
    assert_valid_view,
    mrkdwn_texts,
    text_objects,
)

"""Slack refuses a message whose blocks carry about this much text in all (msg_blocks_too_long)."""
EVIL = ("<!channel>", "<!here>", "<@U123>", "<https://evil|click>", "Q&A")
EVIL_TEXT = " ".join(EVIL)
REQUESTER = "U0REP0001"
MENTION = f"<@{REQUESTER}>"


def assert_no_user_markup(payload: dict[str, Any], *, ours: tuple[str, ...] = ()) -> None:
    for text in mrkdwn_texts(payload):
        for allowed in ours:
            text = text.replace(allowed, "")
        assert "<!" not in text and "<@" not in text and "<http" not in text, text
        assert not re.search(r"&(?!amp;|lt;|gt;)", text), text


def test_the_checks_above_really_enforce_slack_limits() -> None:
    with pytest.raises(SlackObjectFormationError):
        assert_valid_view({**build_task_modal(ModalPrefill()), "title": plain("x" * 25)})
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackObjectFormationError):
        assert_valid_message({"text": "x", "blocks": [too_long]})
    long_hint = build_task_modal(ModalPrefill())
    long_hint["blocks"][1]["hint"] = plain("x" * 2001)
    with pytest.raises(SlackObjectFormationError):
        assert_valid_view(long_hint)


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


# --- modal ---------------------------------------------------------------------------------------


def input_blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def fake_state_values(view: dict[str, Any]) -> dict[str, Any]:
    """What Slack would send back if the rep submitted the modal without touching it."""
    state: dict[str, Any] = {}
    for block_id, block in input_blocks(view).items():
        element = block["element"]
        kind = element["type"]
        if kind == "static_select":
            field = {"type": kind, "selected_option": element.get("initial_option")}
        elif kind == "plain_text_input":
            field = {"type": kind, "value": element.get("initial_value")}
        elif kind == "datepicker":
            field = {"type": kind, "selected_date": element.get("initial_date")}
        elif kind == "multi_external_select":
            field = {"type": kind, "selected_options": element.get("initial_options", [])}
        else:
            raise AssertionError(f"unexpected element {kind}")
        state[block_id] = {element["action_id"]: field}
    return state


def test_modal_shape_titles_and_required_fields() -> None:
    view = build_task_modal(ModalPrefill(private_metadata='{"a": 1}'))
    assert_valid_view(view)
    assert view["type"] == "modal"
    assert view["callback_id"] == ids.TASK_MODAL_CALLBACK_ID
    assert view["title"]["text"] == "Saleshandy task"
    assert view["submit"]["text"] == "Create task" and view["close"]["text"] == "Cancel"
    assert view["private_metadata"] == '{"a": 1}'
    blocks = input_blocks(view)
    assert list(blocks) == [
        ids.TASK_TYPE_BLOCK_ID, ids.PROSPECT_PICKER_BLOCK_ID, ids.PROSPECTS_BLOCK_ID,
        ids.DUE_DATE_BLOCK_ID, ids.PRIORITY_BLOCK_ID, ids.NOTE_BLOCK_ID,
    ]
    optional = {block_id: block["optional"] for block_id, block in blocks.items()}
    assert optional == {  # either prospect field may name them all: "none at all" is our own error
        ids.TASK_TYPE_BLOCK_ID: False, ids.PROSPECT_PICKER_BLOCK_ID: True,
        ids.PROSPECTS_BLOCK_ID: True, ids.DUE_DATE_BLOCK_ID: True, ids.PRIORITY_BLOCK_ID: True,
        ids.NOTE_BLOCK_ID: True,
    }
    assert blocks[ids.PROSPECTS_BLOCK_ID]["hint"]["text"] == (
        "Saleshandy prospect IDs or links, one per line or separated by spaces or commas"
    )
    due_hint = blocks[ids.DUE_DATE_BLOCK_ID]["hint"]["text"]
    assert due_hint == "Leave empty for today (in your time zone)"
    assert blocks[ids.NOTE_BLOCK_ID]["element"]["max_length"] == NOTE_MAX_CHARS
    assert blocks[ids.PROSPECTS_BLOCK_ID]["element"]["multiline"] is True
    assert blocks[ids.NOTE_BLOCK_ID]["element"]["multiline"] is True
    assert not any("initial_option" in b["element"] or "initial_value" in b["element"]
                   or "initial_date" in b["element"] or "initial_options" in b["element"]
                   for b in blocks.values())
    assert view["blocks"][0]["type"] == "input"  # no notices, no notice block


def test_the_prospect_picker_searches_from_two_letters_just_before_the_prospects_field() -> None:
    view = build_task_modal(ModalPrefill(notices=("Something to say",)))
    assert_valid_view(view)
    block_ids = [b["block_id"] for b in view["blocks"]]
    assert block_ids.index(ids.PROSPECT_PICKER_BLOCK_ID) + 1 == block_ids.index(ids.PROSPECTS_BLOCK_ID)
    picker = input_blocks(view)[ids.PROSPECT_PICKER_BLOCK_ID]
    assert picker["label"]["text"] == "Find prospects"
    assert picker["optional"] is True
    assert picker["element"] == {
        "type": "multi_external_select",
        "action_id": ids.PROSPECT_PICKER_ACTION_ID,
        "placeholder": {"type": "plain_text", "text": "Search Saleshandy by name or email", "emoji": True},
        "min_query_length": 2,
    }
    assert 0 < len(picker["hint"]["text"]) <= 2000


def test_the_view_check_really_checks_the_picker() -> None:
    view = build_task_modal(ModalPrefill())
    picker = input_blocks(view)[ids.PROSPECT_PICKER_BLOCK_ID]
    picker["element"]["placeholder"] = plain("x" * 151)  # Slack's limit for a placeholder: 150
    with pytest.raises(SlackObjectFormationError):
        assert_valid_view(view)


def test_picked_prospects_are_read_as_value_and_text() -> None:
    state = fake_state_values(build_task_modal(ModalPrefill(prospects_text="Zz12Yy34")))
    state[ids.PROSPECT_PICKER_BLOCK_ID][ids.PROSPECT_PICKER_ACTION_ID] = {
        "type": "multi_external_select",
        "selected_options": [
            {"text": {"type": "plain_text", "text": "Jane Doe · Acme · jane@acme.com"},
             "value": "8PvBmrB7P7"},
            {"text": {"type": "plain_text", "text": "Bob"}, "value": "Pr9xQ2Lm"},
        ],
    }
    values = read_modal_values(state)
    assert values.picked == (("8PvBmrB7P7", "Jane Doe · Acme · jane@acme.com"), ("Pr9xQ2Lm", "Bob"))
    assert values.prospects_text == "Zz12Yy34"


@pytest.mark.parametrize(
    "selected",
    [None, "8PvBmrB7P7", {"value": "x"}, [None, 3, "x", {"text": "no value"}, {"value": ""}]],
)
def test_odd_picker_state_reads_as_nothing_picked(selected: object) -> None:
    state = {ids.PROSPECT_PICKER_BLOCK_ID: {ids.PROSPECT_PICKER_ACTION_ID: {
        "type": "multi_external_select", "selected_options": selected,
    }}}
    assert read_modal_values(state).picked == ()


def test_a_picked_option_without_text_is_named_by_its_value() -> None:
    state = {ids.PROSPECT_PICKER_BLOCK_ID: {ids.PROSPECT_PICKER_ACTION_ID: {
        "type": "multi_external_select",
        "selected_options": [{"value": "8PvBmrB7P7"}, {"value": "Pr9xQ2Lm", "text": {"text": " "}}],
    }}}
    assert read_modal_values(state).picked == (("8PvBmrB7P7", "8PvBmrB7P7"), ("Pr9xQ2Lm", "Pr9xQ2Lm"))


def draft_from(picked: tuple[tuple[str, str], ...], text: str = "") -> Any:
    return parse_form(
        task_type_code=TaskType.CALL_DEMO.code, prospects_text=text, due_date=None,
        priority_code=None, note=None, today=datetime.date(2026, 11, 28), picked=picked,
        known_names={"Zz12Yy34": "Known Name"},
    )


def test_picked_prospects_come_first_named_by_their_label_each_id_once() -> None:
    draft = draft_from(
        (("8PvBmrB7P7", "Jane Doe · Acme · jane@acme.com"), ("Pr9xQ2Lm", "Bob"), ("8PvBmrB7P7", "Again")),
        "Pr9xQ2Lm Zz12Yy34 https://my.saleshandy.com/prospects/Qq11Ww22",
    )
    assert draft.is_ready
    assert draft.prospects == (
        ProspectRef(id="8PvBmrB7P7", display_name="Jane Doe · Acme · jane@acme.com"),
        ProspectRef(id="Pr9xQ2Lm", display_name="Bob"),
        ProspectRef(id="Zz12Yy34", display_name="Known Name"),
        ProspectRef(id="Qq11Ww22", link="https://my.saleshandy.com/prospects/Qq11Ww22"),
    )


def test_the_picker_alone_is_enough_and_nothing_anywhere_is_missing_prospects() -> None:
    assert draft_from((("8PvBmrB7P7", "Jane"),)).is_ready
    empty = draft_from(())
    assert empty.missing == (DraftField.PROSPECTS,)


@pytest.mark.parametrize(
    "value", ["", "has space", "x" * 65, "a/b", "<!channel>", "8PvBmrB7P7\n"]
)
def test_a_picked_value_that_is_not_an_id_is_ignored_never_raised(value: str) -> None:
    draft = draft_from(((value, "Looks fine"), ("Pr9xQ2Lm", "Bob")))
    assert [p.id for p in draft.prospects] == ["Pr9xQ2Lm"]


def test_malformed_picked_entries_are_ignored() -> None:
    odd: Any = ((None, "x"), ("Pr9xQ2Lm",), 5, ("8PvBmrB7P7", None), ("Zz12Yy34", "  "))
    draft = draft_from(odd)
    assert draft.prospects == (ProspectRef(id="8PvBmrB7P7"), ProspectRef(id="Zz12Yy34"))


def test_a_suggestion_shows_the_label_within_slacks_75_characters_and_keeps_the_id() -> None:
    short = prospect_option("8PvBmrB7P7", "Jane Doe · Acme · jane@acme.com")
    assert short == {
        "text": {"type": "plain_text", "text": "Jane Doe · Acme · jane@acme.com", "emoji": True},
        "value": "8PvBmrB7P7",
    }
    long_label = "Maximiliane Alexandra von Hohenzollern-Sigmaringen · Very Long Company GmbH · x@y.de"
    long = prospect_option("8PvBmrB7P7", long_label)
    assert len(long["text"]["text"]) == 75 and long["text"]["text"].endswith("…")
    assert long_label.startswith(long["text"]["text"][:-1])
    for option in (short, long):
        Option(**option).validate_json()
    with pytest.raises(ValueError):
        prospect_option("x" * 151, "too long an id")


def test_suggestions_are_at_most_twenty_usable_ids_each_once() -> None:
    found = [
        FoundProspect(id="8PvBmrB7P7", email="jane@acme.com", first_name="Jane", last_name="Doe",
                      company="Acme"),
        FoundProspect(id="8PvBmrB7P7", first_name="Duplicate"),
        FoundProspect(id="not an id", first_name="Spaces"),
        FoundProspect(id="Pr9xQ2Lm"),
        *(FoundProspect(id=f"Pv{n:04d}Qx", first_name=f"P{n}") for n in range(30)),
    ]
    options = prospect_options(found)
    assert len(options) == 20
    assert options[0]["text"]["text"] == "Jane Doe · Acme · jane@acme.com"
    assert options[1] == prospect_option("Pr9xQ2Lm", "Pr9xQ2Lm")
    assert [o["value"] for o in options[2:]] == [f"Pv{n:04d}Qx" for n in range(18)]
    for option in options:
        Option(**option).validate_json()


def test_task_type_options_cover_every_type_once_grouped_by_channel() -> None:
    select = input_blocks(build_task_modal(ModalPrefill()))[ids.TASK_TYPE_BLOCK_ID]["element"]
    assert select["type"] == "static_select"
    groups = select["option_groups"]
    assert [g["label"]["text"] for g in groups] == ["LinkedIn", "Call", "WhatsApp", "Other"]
    codes = [o["value"] for o in all_options(select)]
    assert sorted(codes) == sorted(t.code for t in TaskType)
    assert len(codes) == len(set(codes))
    for group in groups:
        for option in group["options"]:
            task_type = TaskType(option["value"])
            assert task_type.group.label == group["label"]["text"]
            assert task_type.label in option["text"]["text"]


def test_priority_options_are_the_four_priorities() -> None:
    select = input_blocks(build_task_modal(ModalPrefill()))[ids.PRIORITY_BLOCK_ID]["element"]
    assert [(o["text"]["text"], o["value"]) for o in select["options"]] == [
        ("Urgent", "1"), ("High", "2"), ("Medium", "3"), ("Low", "4"),
    ]


@pytest.mark.parametrize("task_type", list(TaskType))
def test_initial_task_type_is_exactly_one_of_the_options(task_type: TaskType) -> None:
    view = build_task_modal(ModalPrefill(task_type=task_type))
    select = input_blocks(view)[ids.TASK_TYPE_BLOCK_ID]["element"]
    assert [o for o in all_options(select) if o == select["initial_option"]] == [
        select["initial_option"]
    ]
    assert select["initial_option"]["value"] == task_type.code


@pytest.mark.parametrize("priority", list(Priority))
def test_initial_priority_is_exactly_one_of_the_options(priority: Priority) -> None:
    select = input_blocks(build_task_modal(ModalPrefill(priority=priority)))[ids.PRIORITY_BLOCK_ID]
    element = select["element"]
    assert element["initial_option"] in element["options"]
    assert element["initial_option"]["value"] == priority.code


@settings(max_examples=60, deadline=None)
@given(
    task_type=st.none() | st.sampled_from(list(TaskType)),
    prospects=st.lists(st.from_regex(r"[A-Za-z0-9]{6,12}", fullmatch=True), max_size=20),
    due=st.none() | st.dates(datetime.date(2024, 1, 1), datetime.date(2035, 12, 31)),
    priority=st.none() | st.sampled_from(list(Priority)),
    note=st.none() | st.text(min_size=1, max_size=300).filter(lambda s: s.strip() == s and s != ""),
)
def test_prefilled_values_round_trip_through_slack_state(
    task_type: TaskType | None,
    prospects: list[str],
    due: datetime.date | None,
    priority: Priority | None,
    note: str | None,
) -> None:
    prefill = ModalPrefill(
        task_type=task_type,
        prospects_text="\n".join(prospects),
        due_date=due,
        priority=priority,
        note=note,
    )
    view = build_task_modal(prefill)
    assert_valid_view(view)
    assert read_modal_values(fake_state_values(view)) == ModalValues(
        task_type_code=task_type.code if task_type else None,
        prospects_text="\n".join(prospects),
        due_date=due.isoformat() if due else None,
        priority_code=priority.code if priority else None,
        note=note,
    )


def test_reading_is_tolerant_of_missing_blocks_and_empty_fields() -> None:
    assert read_modal_values({}) == ModalValues(None, "", None, None, None)
    empty = {
        ids.TASK_TYPE_BLOCK_ID: {ids.TASK_TYPE_ACTION_ID: {"type": "static_select",
                                                           "selected_option": None}},
        ids.PROSPECTS_BLOCK_ID: {ids.PROSPECTS_ACTION_ID: {"type": "plain_text_input",
                                                           "value": None}},
        ids.DUE_DATE_BLOCK_ID: {ids.DUE_DATE_ACTION_ID: {"type": "datepicker",
                                                         "selected_date": None}},
        ids.NOTE_BLOCK_ID: {ids.NOTE_ACTION_ID: {"type": "plain_text_input", "value": "  "}},
    }
    assert read_modal_values(empty) == ModalValues(None, "", None, None, None)


def test_a_long_note_is_cut_to_the_field_limit_and_the_rep_is_told() -> None:
    view = build_task_modal(ModalPrefill(note="n" * (NOTE_MAX_CHARS + 500)))
    assert_valid_view(view)
    element = input_blocks(view)[ids.NOTE_BLOCK_ID]["element"]
    assert element["initial_value"] == "n" * NOTE_MAX_CHARS
    assert "note was cut" in view["blocks"][0]["text"]["text"]


def test_a_long_prospect_list_is_cut_between_references_and_the_rep_is_told() -> None:
    prospect_ids = [f"P{n:09d}" for n in range(400)]  # 4,400 characters with separators
    view = build_task_modal(ModalPrefill(prospects_text="\n".join(prospect_ids)))
    assert_valid_view(view)
    element = input_blocks(view)[ids.PROSPECTS_BLOCK_ID]["element"]
    kept = element["initial_value"].split("\n")
    assert len(element["initial_value"]) <= element["max_length"] <= TEXT_MAX
    assert kept == prospect_ids[: len(kept)]
    assert "too long" in view["blocks"][0]["text"]["text"]


def test_notices_come_first_shown_as_plain_text() -> None:
    notices = ("Unknown word: blursday", f"I didn't understand {EVIL_TEXT}")
    view = build_task_modal(ModalPrefill(notices=notices))
    assert_valid_view(view)
    block = view["blocks"][0]
    assert block["block_id"] == ids.MODAL_NOTICES_BLOCK_ID
    assert block["text"]["type"] == "plain_text"
    assert all(notice in block["text"]["text"] for notice in notices)


def test_many_long_notices_still_fit() -> None:
    view = build_task_modal(ModalPrefill(notices=tuple("x" * 500 for _ in range(20))))
    assert_valid_view(view)


def test_private_metadata_over_slacks_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="private_metadata"):
        build_task_modal(ModalPrefill(private_metadata="x" * 3001))


def test_modal_errors_are_keyed_by_block_and_short() -> None:
    answer = build_modal_errors(
        {ids.PROSPECTS_BLOCK_ID: "Add a prospect.", ids.DUE_DATE_BLOCK_ID: "word " * 100}
    )
    assert answer["response_action"] == "errors"
    assert answer["errors"][ids.PROSPECTS_BLOCK_ID] == "Add a prospect."
    long_one = answer["errors"][ids.DUE_DATE_BLOCK_ID]
    assert len(long_one) <= 150 and long_one.endswith("…")


# --- results -------------------------------------------------------------------------------------


def make_submission(
    prospects: list[ProspectRef],
    outcomes: list[ProspectOutcome],
    *,
    note: str | None = None,
    priority: Priority | None = Priority.HIGH,
    task_type: TaskType = TaskType.CALL_FOLLOW_UP,
    retry_of: str | None = None,
) -> Submission:
    request = CreateTaskRequest(
        prospect_ids=tuple(p.id for p in prospects),
        task_type=task_type,
        due_date=datetime.date(2026, 11, 26),
        priority=priority,
        task_note=note,
    )
    return Submission(
        id="sub-1",
        request=request,
        prospects=tuple(prospects),
        requested_by=REQUESTER,
        outcomes=tuple(outcomes),
        retry_of=retry_of,
    )


JANE = ProspectRef(id="8PvBmrB7P7", display_name="Jane Doe",
                   link="https://my.saleshandy.com/prospects/8PvBmrB7P7")
BOB = ProspectRef(id="Pr9xQ2Lm", display_name="Bob")
BARE = ProspectRef(id="Zz12Yy34")


def three_prospects() -> Submission:
    return make_submission(
        [JANE, BOB, BARE],
        [
            ProspectOutcome.created(JANE.id, "7PWYDWW7zo"),
            ProspectOutcome.failed(BOB.id, "Prospect not found"),
            ProspectOutcome.created(BARE.id, "9QWxYz"),
        ],
    )


def section_lines(messages: list[dict[str, Any]]) -> list[str]:
    return [
        line
        for message in messages
        for block in message["blocks"]
        if block["type"] == "section"
        for line in block["text"]["text"].split("\n")
    ]


def actions_blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in message["blocks"] if b["type"] == "actions"]


def test_parent_message_says_who_what_when_and_how_many() -> None:
    message = build_parent_message(three_prospects())
    assert_valid_message(message)
    assert message["blocks"][0]["text"]["text"] == (
        f"{MENTION} asked for a *Call · follow-up* task · due *Thu 26 Nov 2026* · priority *High*"
        " · 3 prospects"
    )
    assert len(message["blocks"]) == 1


def test_parent_message_without_priority_with_a_note_for_one_prospect() -> None:
    submission = make_submission(
        [BARE], [ProspectOutcome.created(BARE.id, "t")], note="call after 3pm",
        priority=None, task_type=TaskType.CUSTOM,
    )
    message = build_parent_message(submission)
    assert_valid_message(message)
    text = message["blocks"][0]["text"]["text"]
    assert "asked for an *Other · custom* task" in text
    assert "· no priority · 1 prospect" in text and text.endswith("1 prospect")
    assert message["blocks"][1] == {
        "type": "context",
        "elements": [{"type": "plain_text", "text": "call after 3pm", "emoji": True}],
    }


def test_three_prospects_fit_one_message_with_a_summary_and_a_retry_button() -> None:
    messages = build_results_messages(three_prospects())
    assert len(messages) == 1
    message = messages[0]
    assert_valid_message(message)
    assert message["blocks"][0]["text"]["text"] == "*2 created · 1 failed*"
    assert section_lines(messages)[1:] == [
        "✅ *<https://my.saleshandy.com/prospects/8PvBmrB7P7|Jane Doe>* (8PvBmrB7P7)"
        " — task 7PWYDWW7zo",
        "❌ *Bob* (Pr9xQ2Lm) — Prospect not found",
        "✅ *Zz12Yy34* — task 9QWxYz",
    ]
    [actions] = actions_blocks(message)
    assert message["blocks"][-1] is actions
    [button] = actions["elements"]
    assert button["action_id"] == ids.RETRY_FAILED_ACTION_ID
    assert button["value"] == "sub-1"
    assert button["text"]["text"] == "Retry failed (1)"
    assert button["style"] == "primary"
    assert "confirm" not in button  # nothing unknown: retrying cannot double a task


def test_unknown_outcomes_say_to_check_once_and_the_retry_asks_to_confirm() -> None:
    submission = make_submission(
        [JANE, BOB],
        [
            ProspectOutcome.unknown(JANE.id, "Saleshandy did not answer in time; the task may have "
                                             "been created — check before retrying."),
            ProspectOutcome.unknown(BOB.id, "Saleshandy answered HTTP 502"),
        ],
    )
    [message] = build_results_messages(submission)
    assert_valid_message(message)
    first, second = section_lines([message])[1:]
    assert first.startswith("❔ ") and first.count("may have been created") == 1
    assert second == (
        "❔ *Bob* (Pr9xQ2Lm) — Saleshandy answered HTTP 502 "
        "(may have been created — check Saleshandy before retrying)"
    )
    assert message["blocks"][0]["text"]["text"] == "*2 unknown*"
    [button] = actions_blocks(message)[0]["elements"]
    assert button["text"]["text"] == "Retry unknown (2)"  # not "failed": they may exist
    assert "confirm" in button


def test_the_retry_button_names_what_it_retries() -> None:
    mixed = make_submission(
        [JANE, BOB],
        [ProspectOutcome.failed(JANE.id, "Prospect not found"), ProspectOutcome.unknown(BOB.id, "HTTP 502")],
    )
    [button] = actions_blocks(build_results_messages(mixed)[0])[0]["elements"]
    assert button["text"]["text"] == "Retry failed and unknown (2)" and "confirm" in button


def test_all_created_means_no_button_and_a_retry_says_so() -> None:
    submission = make_submission(
        [BOB], [ProspectOutcome.created(BOB.id, "t1")], retry_of="sub-0"
    )
    [message] = build_results_messages(submission)
    assert_valid_message(message)
    assert message["blocks"][0]["text"]["text"] == "*Retry: 1 created*"
    assert not actions_blocks(message)


def test_headline_comes_first_escaped() -> None:
    headline = "The Saleshandy API key was rejected — check SALESHANDY_API_KEY <!channel> & co"
    submission = make_submission([BOB], [ProspectOutcome.failed(BOB.id, "key rejected")])
    [message] = build_results_messages(submission, headline=headline)
    assert_valid_message(message)
    first = message["blocks"][0]["text"]["text"]
    assert first.splitlines()[0].endswith(
        "check SALESHANDY_API_KEY &lt;!channel&gt; &amp; co"
    )
    assert first.splitlines()[1] == "*1 failed*"
    assert_no_user_markup(message)


def thousand_prospects() -> tuple[list[ProspectRef], list[ProspectOutcome]]:
    prospects: list[ProspectRef] = []
    outcomes: list[ProspectOutcome] = []
    for n in range(1000):
        prospect_id = f"Q{n:09d}"
        name = ("Dr. Alexandra Montgomery-Featherstonehaugh of Very Long Company Name Incorporated "
                * 2)[:120]
        link = f"https://my.saleshandy.com/prospects/{prospect_id}" if n % 2 else None
        prospects.append(ProspectRef(id=prospect_id, display_name=name, link=link))
        kind = n % 5
        if kind < 3:
            outcomes.append(ProspectOutcome.created(prospect_id, f"T{n:08d}zz"))
        elif kind == 3:
            outcomes.append(ProspectOutcome.failed(prospect_id, "Prospect not found in Saleshandy"))
        else:
            outcomes.append(ProspectOutcome.unknown(
                prospect_id, "Saleshandy did not answer in time; the task may have been created "
                             "— check before retrying."))
    return prospects, outcomes


def test_a_thousand_long_named_prospects_span_several_messages_in_order_none_lost() -> None:
    prospects, outcomes = thousand_prospects()
    submission = make_submission(prospects, outcomes)
    messages = build_results_messages(submission)

    assert len(messages) > 1
    for message in messages:
        assert_valid_message(message)
        assert_no_user_markup(message, ours=("<https://my.saleshandy.com/prospects/",))
    found = [
        match
        for message in messages
        for block in message["blocks"]
        if block["type"] == "section"
        for match in re.findall(r"\((Q\d{9})\)", block["text"]["text"])
    ]
    assert found == [p.id for p in prospects]
    assert len(section_lines(messages)) == 1 + 1000  # the summary, then one line each
    assert [len(actions_blocks(m)) for m in messages] == [0] * (len(messages) - 1) + [1]
    [button] = actions_blocks(messages[-1])[0]["elements"]
    assert messages[-1]["blocks"][-1]["type"] == "actions"
    assert len(submission.to_retry) == 400
    assert button["text"]["text"] == "Retry failed and unknown (400)"
    assert messages[0]["blocks"][0]["text"]["text"] == "*600 created · 200 failed · 200 unknown*"
    assert messages[1]["text"].endswith(f"(part 2 of {len(messages)})")


def test_huge_names_and_reasons_are_shortened_never_split_or_over_limits() -> None:
    prospects = [
        ProspectRef(id=f"H{n:05d}", display_name="&<>" * 1500,
                    link="https://x.example/" + "&" * 2000)
        for n in range(300)
    ]
    outcomes = [ProspectOutcome.failed(p.id, "<!here> & " * 500) for p in prospects]
    messages = build_results_messages(make_submission(prospects, outcomes))
    for message in messages:
        assert_valid_message(message)
        assert_no_user_markup(message)
    lines = section_lines(messages)[1:]
    assert len(lines) == 300
    assert all(line.startswith("❌ *") and "…" in line for line in lines)


def test_retry_notices() -> None:
    assert build_retry_started_notice(3)["text"] == "Retrying 3 prospects…"
    assert build_retry_started_notice(1)["text"] == "Retrying 1 prospect…"
    assert_valid_message(build_retry_started_notice(3))
    for reason in RetryRefused:
        assert_valid_message(build_retry_refused_notice(reason))


# --- help ----------------------------------------------------------------------------------------


def test_help_lists_grammar_examples_types_priorities_and_the_form() -> None:
    message = build_help_message()
    assert_valid_message(message)
    text = "\n".join(t["text"] for t in text_objects(message["blocks"]))
    assert "/task &lt;type&gt; &lt;prospects&gt; [due date] [priority] [note: …]" in text
    assert "`/task call follow-up tomorrow high 8PvBmrB7P7`" in text
    assert "Run `/task` alone for a form" in text
    for group in ChannelGroup:
        assert f"*{group.label}*" in text
    for task_type in TaskType:
        assert task_type.label in text
        assert f"`{TASK_TYPE_SYNONYMS[task_type][0]}`" in text
    for priority in Priority:
        assert f"{priority.label}: " in text and f"`p{priority.code}`" in text
    assert "tomorrow" in text and "next fri" in text


# --- notices -------------------------------------------------------------------------------------


def test_small_notices() -> None:
    intro = build_redirected_results_intro("C0123ABC", "not_in_channel")
    assert intro["text"] == (
        "I couldn't post in <#C0123ABC> (`not_in_channel`) — here are your results. "
        "Invite me with `/invite @Saleshandy Tasks` to get them in the channel."
    )
    for message in (intro, build_notice("Done.")):
        assert_valid_message(message)


def test_a_very_long_notice_is_shortened() -> None:
    message = build_notice("word " * 2000)
    assert_valid_message(message)


# --- injection -----------------------------------------------------------------------------------


def evil_submission() -> Submission:
    prospects = [
        ProspectRef(id="Ev1l0001", display_name=EVIL_TEXT, link="https://evil|click"),
        ProspectRef(id="Ev1l0002", display_name="<https://evil|click>", link="javascript:alert(1)"),
        ProspectRef(id="Ev1l0003", display_name="a & b", link="https://ok.example/a b"),
        ProspectRef(id="Ev1l0004", display_name="<!here>", link="https://ok.example/<!here>"),
    ]
    outcomes = [
        ProspectOutcome.created("Ev1l0001", "<!channel>&"),
        ProspectOutcome.failed("Ev1l0002", f"unknown word {EVIL_TEXT}"),
        ProspectOutcome.unknown("Ev1l0003", EVIL_TEXT),
        ProspectOutcome.failed("Ev1l0004", "<@U123>"),
    ]
    return make_submission(prospects, outcomes, note=EVIL_TEXT)


def every_builder_output() -> list[dict[str, Any]]:
    submission = evil_submission()
    return [
        build_parent_message(submission),
        *build_results_messages(submission, headline=EVIL_TEXT),
        build_notice(EVIL_TEXT),
        build_redirected_results_intro("<!channel>", EVIL_TEXT),
        build_redirected_results_intro("C0123ABC", EVIL_TEXT, app_name=EVIL_TEXT),
        build_task_modal(ModalPrefill(
            prospects_text=EVIL_TEXT, note=EVIL_TEXT, notices=(EVIL_TEXT,) * 3,
        )),
    ]


def test_user_text_never_becomes_a_mention_or_a_link() -> None:
    outputs = every_builder_output()
    for payload in outputs:
        assert_no_user_markup(payload, ours=(MENTION, "<#C0123ABC>"))
    all_mrkdwn = "\n".join(text for payload in outputs for text in mrkdwn_texts(payload))
    assert "Q&amp;A" in all_mrkdwn and "a &amp; b" in all_mrkdwn
    assert "&lt;!channel&gt;" in all_mrkdwn and "&lt;https://evil|click&gt;" in all_mrkdwn


def test_user_text_in_plain_text_is_shown_as_typed() -> None:
    submission = evil_submission()
    parent = build_parent_message(submission)
    assert parent["blocks"][1]["elements"][0] == {"type": "plain_text", "text": EVIL_TEXT,
                                                  "emoji": True}
    modal = build_task_modal(ModalPrefill(note=EVIL_TEXT))
    assert input_blocks(modal)[ids.NOTE_BLOCK_ID]["element"]["initial_value"] == EVIL_TEXT


def test_only_plain_http_links_become_links_with_the_label_escaped() -> None:
    prospect = ProspectRef(id="8PvBmrB7P7", display_name="Jane <b> & co",
                           link="https://my.saleshandy.com/p?id=8PvBmrB7P7&x=1")
    submission = make_submission([prospect], [ProspectOutcome.created(prospect.id, "t")])
    [line] = section_lines(build_results_messages(submission))[1:]
    assert line == (
        "✅ *<https://my.saleshandy.com/p?id=8PvBmrB7P7&amp;x=1|Jane &lt;b&gt; &amp; co>* "
        "(8PvBmrB7P7) — task t"
    )
    [unlinked] = section_lines(build_results_messages(evil_submission()))[1:2]
    assert "<" not in unlinked


@settings(max_examples=80, deadline=None)
@given(
    name=st.none() | st.text(max_size=400),
    reason=st.text(min_size=1, max_size=400),
    note=st.none() | st.text(min_size=1, max_size=NOTE_MAX_CHARS).filter(lambda s: s.strip() != ""),
    headline=st.none() | st.text(min_size=1, max_size=400),
)
def test_any_text_stays_text_and_within_limits(
    name: str | None, reason: str, note: str | None, headline: str | None
) -> None:
    prospect = ProspectRef(id="8PvBmrB7P7", display_name=name or None)
    submission = make_submission(
        [prospect, BARE],
        [ProspectOutcome.failed(prospect.id, reason), ProspectOutcome.unknown(BARE.id, reason)],
        note=note,
    )
    parent = build_parent_message(submission)
    messages = build_results_messages(submission, headline=headline)
    for message in [parent, *messages]:
        assert_valid_message(message)
    for text in mrkdwn_texts(parent):
        assert "<" not in text.replace(MENTION, "")
    for message in messages:
        assert all("<" not in text and ">" not in text for text in mrkdwn_texts(message))


def test_an_account_wide_error_is_said_once_not_on_every_line() -> None:
    reason = "The Saleshandy API key was rejected — check SALESHANDY_API_KEY."
    prospects = [ProspectRef(id=f"Pv{n:04d}Qx") for n in range(300)]
    submission = make_submission(prospects, [ProspectOutcome.failed(p.id, reason) for p in prospects])
    messages = build_results_messages(submission, headline=reason)
    everything = " ".join(t["text"] for m in messages for t in text_objects(m["blocks"]))
    assert everything.count("API key was rejected") == 1
    assert everything.count("— failed, see above") == 300
    assert len(messages) == 1


def test_a_dm_between_people_gets_no_advice_to_invite_the_bot() -> None:
    dm = build_redirected_results_intro("D0123ABCD", "channel_not_found")
    assert "direct message" in dm["text"] and "/invite" not in dm["text"]
    channel = build_redirected_results_intro("C0123ABCD", "not_in_channel")
    assert "/invite" in channel["text"] and "<#C0123ABCD>" in channel["text"]
