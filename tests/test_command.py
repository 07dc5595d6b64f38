import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import DraftField, Priority, ProblemKind, ProspectRef, TaskDraft, TaskType
from bot.parsing import ProspectLinkPatterns, parse_command

WED = datetime.date(2026, 11, 25)  # a Wednesday
THU, FRI, MON_NEXT = WED.replace(day=26), WED.replace(day=27), datetime.date(2026, 11, 30)


def parse(text: str, today: datetime.date = WED, **kwargs: object) -> TaskDraft:
    return parse_command(text, today=today, **kwargs)  # type: ignore[arg-type]


def test_the_example_from_the_readme() -> None:
    draft = parse("call follow-up tomorrow high 8PvBmrB7P7")
    assert draft.is_ready
    assert draft.to_request().to_api_body() == {
        "prospectIds": ["8PvBmrB7P7"],
        "taskType": "13",
        "priority": "2",
        "dueDate": "2026-11-26",
    }


@pytest.mark.parametrize(
    "text",
    [
        "8PvBmrB7P7 high tomorrow follow-up call",
        "high: follow up with 8PvBmrB7P7 by tomorrow",
        "follow up call for 8PvBmrB7P7 due tomorrow, priority high",
        "Follow-Up 8PvBmrB7P7 tmrw !!",
        "followup tomorrow at 3pm 8PvBmrB7P7 p2",
    ],
)
def test_words_in_any_order_with_filler(text: str) -> None:
    draft = parse(text)
    assert draft.problems == ()
    assert (draft.task_type, draft.priority, draft.due_date) == (
        TaskType.CALL_FOLLOW_UP, Priority.HIGH, THU,
    )
    assert [p.id for p in draft.prospects] == ["8PvBmrB7P7"]


def test_many_prospects_separated_by_spaces_commas_and_new_lines_deduplicated_in_order() -> None:
    text = "demo 8PvBmrB7P7, Pr9xQ2Lm\nMw5Mjoo1wb,8PvBmrB7P7 https://my.saleshandy.com/prospects/Zx81Kq2w"
    draft = parse(text)
    assert [p.id for p in draft.prospects] == ["8PvBmrB7P7", "Pr9xQ2Lm", "Mw5Mjoo1wb", "Zx81Kq2w"]
    assert draft.problems == ()


def test_slack_formatted_links_keep_their_label_as_the_name() -> None:
    draft = parse("li msg <https://my.saleshandy.com/prospects/8PvBmrB7P7|Jane Doe> next fri")
    assert draft.prospects == (
        ProspectRef(
            id="8PvBmrB7P7", display_name="Jane Doe",
            link="https://my.saleshandy.com/prospects/8PvBmrB7P7",
        ),
    )
    assert draft.task_type is TaskType.LINKEDIN_MESSAGE
    assert draft.due_date == datetime.date(2026, 12, 4)


def test_configured_link_patterns_are_used() -> None:
    links = ProspectLinkPatterns((r"crm\.example\.com/p/(?P<id>\w+)",))
    draft = parse("demo https://crm.example.com/p/abcDEF12", links=links)
    assert [p.id for p in draft.prospects] == ["abcDEF12"]


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("call 8PvBmrB7P7 note: ask about the Q3 budget, & pricing", "ask about the Q3 budget, & pricing"),
        ("call 8PvBmrB7P7 NOTE: tomorrow is fine", "tomorrow is fine"),
        ('call "bring the deck" 8PvBmrB7P7', "bring the deck"),
        ("call “bring the deck” 8PvBmrB7P7", "bring the deck"),
        ("call 8PvBmrB7P7 -- urgent: see thread", "urgent: see thread"),
        ("call 8PvBmrB7P7 note: see <https://acme.com/d|deck> Q&amp;A", "see deck (https://acme.com/d) Q&A"),
    ],
)
def test_note_after_marker_in_quotes_or_after_double_dash(text: str, note: str) -> None:
    draft = parse(text)
    assert draft.note == note
    assert draft.problems == ()
    assert draft.priority is None and draft.due_date == WED


def test_no_date_means_today_sent_explicitly() -> None:
    draft = parse("demo 8PvBmrB7P7")
    assert not draft.due_date_given
    assert draft.to_request().to_api_body()["dueDate"] == "2026-11-25"


def test_missing_type_and_prospects_are_named() -> None:
    draft = parse("tomorrow high")
    assert draft.missing == (DraftField.TASK_TYPE, DraftField.PROSPECTS)
    assert not draft.is_ready
    assert draft.due_date == THU and draft.priority is Priority.HIGH


def test_unknown_words_are_problems_never_dropped_or_guessed_into_ids() -> None:
    draft = parse("call 8PvBmrB7P7 bob tomorrow blursday")
    unknown = [p.text for p in draft.problems if p.kind is ProblemKind.UNKNOWN_WORD]
    assert unknown == ["bob", "blursday"]
    assert [p.id for p in draft.prospects] == ["8PvBmrB7P7"]
    assert all(p.field is DraftField.PROSPECTS for p in draft.problems)
    assert "“bob”" in draft.problems[0].message and "note:" in draft.problems[0].message


def test_mentions_and_foreign_links_are_explained() -> None:
    draft = parse("call 8PvBmrB7P7 <@U0123ABCD|ann> <https://example.com|site>")
    messages = [p.message for p in draft.problems]
    assert len(messages) == 2
    assert "Slack mention" in messages[0]
    assert "does not point at a Saleshandy prospect" in messages[1]


def test_two_types_two_dates_two_priorities_are_conflicts() -> None:
    draft = parse("demo li msg 8PvBmrB7P7 tomorrow fri high low")
    kinds = [p.kind for p in draft.problems]
    assert kinds == [
        ProblemKind.CONFLICTING_TYPE, ProblemKind.CONFLICTING_DATE, ProblemKind.CONFLICTING_PRIORITY,
    ]
    assert draft.task_type is TaskType.CALL_DEMO


def test_the_same_thing_twice_is_no_conflict() -> None:
    draft = parse("demo demo 8PvBmrB7P7 fri friday high !!")
    assert draft.problems == ()


def test_a_generic_channel_word_is_refined_not_a_conflict() -> None:
    assert parse("call 8PvBmrB7P7 demo").task_type is TaskType.CALL_DEMO
    assert parse("whatsapp voice note 8PvBmrB7P7").task_type is TaskType.WHATSAPP_VOICE_MESSAGE
    assert parse("call on whatsapp 8PvBmrB7P7").task_type is TaskType.WHATSAPP_VOICE_CALL


def test_a_past_date_is_a_problem_on_the_due_date() -> None:
    draft = parse("demo 8PvBmrB7P7 yesterday")
    assert [(p.kind, p.field) for p in draft.problems] == [(ProblemKind.PAST_DATE, DraftField.DUE_DATE)]
    assert "Tue 24 Nov 2026" in draft.problems[0].message


def test_an_impossible_date_is_a_problem_saying_so() -> None:
    draft = parse("demo 8PvBmrB7P7 31/02")
    assert [p.kind for p in draft.problems] == [ProblemKind.INVALID_DATE]


def test_priority_digits_only_count_after_the_word_priority() -> None:
    assert parse("demo 8PvBmrB7P7 priority 1").priority is Priority.URGENT
    bare = parse("demo 8PvBmrB7P7 2")
    assert bare.priority is None and [p.text for p in bare.problems] == ["2"]


def test_asap_is_urgent_not_a_date() -> None:
    draft = parse("call 8PvBmrB7P7 asap")
    assert draft.priority is Priority.URGENT and draft.problems == ()


def test_day_first_is_passed_to_dates() -> None:
    assert parse("demo 8PvBmrB7P7 4/12").due_date == datetime.date(2027, 4, 12)
    assert parse("demo 8PvBmrB7P7 4/12", day_first=True).due_date == datetime.date(2026, 12, 4)


def test_escaped_and_raw_command_text_parse_the_same() -> None:
    escaped = parse("call 8PvBmrB7P7 note: R&amp;D &lt;3")
    raw = parse("call 8PvBmrB7P7 note: R&D <3")
    assert escaped == raw
    assert raw.note == "R&D <3"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_draft_and_never_raises(text: str) -> None:
    draft = parse(text)
    assert isinstance(draft, TaskDraft)
    for problem in draft.problems:
        assert problem.message


slack_bits = st.sampled_from(
    [
        "<https://my.saleshandy.com/prospects/8PvBmrB7P7|Jane>", "<@U123>", "<!channel>", "<#C1|x>",
        "note:", "--", '"', "“", "tomorrow", "31/02", "demo", "!!", ",", "\n", "\x00", "🎉", "&amp;",
        "<", ">", "|", "priority", "in 3 days", "next", "8PvBmrB7P7",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(slack_bits, st.text(max_size=8)), max_size=40))
def test_slack_shaped_noise_gives_a_draft_and_never_raises(parts: list[str]) -> None:
    assert isinstance(parse(" ".join(parts)), TaskDraft)


def test_a_very_long_command_is_handled() -> None:
    text = "demo " + " ".join(f"Pv{n:04d}Qx" for n in range(2000)) + " tomorrow"
    draft = parse(text)
    assert len(draft.prospects) == 2000 and draft.due_date == THU


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(slack_bits, st.text(max_size=8), st.just("https://crm.example.com/p/a.b")), max_size=20
    ),
    st.lists(st.sampled_from([r"(?P<id>[^/\s]+)$", r"(?P<id>.*)", r"p/(?P<id>\w+)"]), max_size=2),
)
def test_any_configured_link_patterns_never_make_the_parser_raise(
    parts: list[str], patterns: list[str]
) -> None:
    draft = parse(" ".join(parts), links=ProspectLinkPatterns(tuple(patterns)))
    assert isinstance(draft, TaskDraft)


def test_quotes_and_double_dashes_inside_a_link_label_are_part_of_the_label() -> None:
    draft = parse('call <https://my.saleshandy.com/p/8PvBmrB7P7|Jane "JD" -- Doe> tomorrow')
    assert draft.prospects[0].display_name == 'Jane "JD" -- Doe'
    assert draft.note is None and draft.due_date == THU


def test_a_double_dash_inside_quotes_does_not_swallow_the_rest() -> None:
    draft = parse('call 8PvBmrB7P7 "ask -- then email" tomorrow high')
    assert draft.note == "ask -- then email"
    assert (draft.due_date, draft.priority) == (THU, Priority.HIGH)


def test_quotes_after_note_marker_stay_in_the_note() -> None:
    assert parse('call 8PvBmrB7P7 note: he said "hi" -- ok').note == 'he said "hi" -- ok'


def test_an_escaped_ampersand_between_prospects_is_filler() -> None:
    draft = parse("call 8PvBmrB7P7 &amp; Pr9xQ2Lm tomorrow")
    assert draft.is_ready and [p.id for p in draft.prospects] == ["8PvBmrB7P7", "Pr9xQ2Lm"]


def test_brand_words_are_never_taken_for_prospect_ids() -> None:
    draft = parse("connect 8PvBmrB7P7 on LinkedIn")
    assert draft.is_ready and [p.id for p in draft.prospects] == ["8PvBmrB7P7"]
    hubspot = parse("call 8PvBmrB7P7 HubSpot")
    assert [p.text for p in hubspot.problems] == ["HubSpot"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("email 8PvBmrB7P7", "creates no email tasks"),
        ("linkedin 8PvBmrB7P7", "LinkedIn what?"),
        ("call 8PvBmrB7P7 on linkedin", "LinkedIn what?"),
    ],
)
def test_types_the_api_does_not_have_are_explained(text: str, said: str) -> None:
    draft = parse(text)
    assert [p.field for p in draft.problems] == [DraftField.TASK_TYPE]
    assert said in draft.problems[0].message


@pytest.mark.parametrize("text", ["call 8PvBmrB7P7 hi tomorrow", "call 8PvBmrB7P7 mid"])
def test_words_that_only_sound_like_priorities_are_not_guessed(text: str) -> None:
    draft = parse(text)
    assert draft.priority is None and not draft.is_ready


@pytest.mark.parametrize(
    "text",
    [
        "call 8PvBmrB7P7 sometime next week",
        "call 8PvBmrB7P7 mid next week",
        "call 8PvBmrB7P7 whenever next week",
        "call 8PvBmrB7P7 early next week high",
        "call 8PvBmrB7P7 in a few days",
    ],
)
def test_vague_dates_are_a_problem_on_the_due_date_never_a_guess(text: str) -> None:
    draft = parse(text)
    assert not draft.is_ready
    assert not draft.due_date_given
    [problem] = [p for p in draft.problems if p.field is DraftField.DUE_DATE]
    assert problem.kind is ProblemKind.INVALID_DATE and "too vague" in problem.message
    assert all(p.kind is not ProblemKind.UNKNOWN_WORD for p in draft.problems)


def test_emails_are_prospects_to_look_up_and_complete_a_command() -> None:
    draft = parse("call jane@acme.com <mailto:Bob@Acme.com|Bob@Acme.com> 8PvBmrB7P7 tomorrow")
    assert draft.is_ready
    assert draft.emails == ("jane@acme.com", "bob@acme.com")
    assert [p.id for p in draft.prospects] == ["8PvBmrB7P7"]
    only_emails = parse("call jane@acme.com")
    assert only_emails.is_ready and only_emails.missing == ()


@pytest.mark.parametrize(
    ("text", "today", "due", "asked"),
    [
        ("call 8PvBmrB7P7 Nov 29", datetime.date(2026, 11, 30), datetime.date(2027, 11, 29), True),
        ("call 8PvBmrB7P7 11/29", datetime.date(2026, 11, 30), datetime.date(2027, 11, 29), True),
        ("demo 8PvBmrB7P7 by 29th of Nov", datetime.date(2026, 12, 29), datetime.date(2027, 11, 29), True),
        ("call 8PvBmrB7P7 Dec 29", datetime.date(2027, 1, 3), datetime.date(2027, 12, 29), True),
        ("call 8PvBmrB7P7 Oct 29", datetime.date(2026, 11, 30), datetime.date(2027, 10, 29), False),
        ("call 8PvBmrB7P7 Nov 30", datetime.date(2026, 11, 30), datetime.date(2026, 11, 30), False),
        ("call 8PvBmrB7P7 eoy", datetime.date(2027, 1, 3), datetime.date(2027, 12, 31), False),
        ("call 8PvBmrB7P7 Nov 29 2027", datetime.date(2026, 11, 30), datetime.date(2027, 11, 29), False),
    ],
)
def test_a_month_day_that_passed_within_30_days_is_asked_about_not_moved_silently(
    text: str, today: datetime.date, due: datetime.date, asked: bool
) -> None:
    draft = parse(text, today)
    assert draft.due_date == due and draft.due_date_given
    kinds = [p.kind for p in draft.problems]
    assert kinds == ([ProblemKind.DATE_TO_CONFIRM] if asked else [])
    if asked:
        assert draft.problems[0].field is DraftField.DUE_DATE
        assert draft.problems[0].message.endswith(f"did you mean {due.day} {due:%b %Y}?")
