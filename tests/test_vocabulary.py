import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import Priority, TaskType
from bot.parsing import parse_priority, parse_task_type
from bot.parsing.vocabulary import TASK_TYPE_SYNONYMS, match_task_type, refine_task_type

T = TaskType


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call", T.CALL_OTHER),
        ("follow up", T.CALL_FOLLOW_UP),
        ("follow-up", T.CALL_FOLLOW_UP),
        ("Followup", T.CALL_FOLLOW_UP),
        ("  FOLLOW   UP. ", T.CALL_FOLLOW_UP),
        ("intro call", T.CALL_INTRODUCTION),
        ("demo", T.CALL_DEMO),
        ("reminder", T.CALL_REMINDER),
        ("connect", T.LINKEDIN_CONNECTION_REQUEST),
        ("connection request", T.LINKEDIN_CONNECTION_REQUEST),
        ("li msg", T.LINKEDIN_MESSAGE),
        ("linkedin message", T.LINKEDIN_MESSAGE),
        ("dm on linkedin", T.LINKEDIN_MESSAGE),
        ("inmail", T.LINKEDIN_INMAIL),
        ("InMail", T.LINKEDIN_INMAIL),
        ("view profile", T.LINKEDIN_VIEW_PROFILE),
        ("like post", T.LINKEDIN_POST_INTERACTION),
        ("engage post", T.LINKEDIN_POST_INTERACTION),
        ("whatsapp", T.WHATSAPP_MESSAGE),
        ("wa", T.WHATSAPP_MESSAGE),
        ("wa voice note", T.WHATSAPP_VOICE_MESSAGE),
        ("wa call", T.WHATSAPP_VOICE_CALL),
        ("whatsapp_call", T.WHATSAPP_VOICE_CALL),
        ("custom", T.CUSTOM),
        ("Call · follow-up", T.CALL_FOLLOW_UP),
        ("f/u", T.CALL_FOLLOW_UP),
        ("fu call", T.CALL_FOLLOW_UP),
        ("whats app", T.WHATSAPP_MESSAGE),
        ("connection req", T.LINKEDIN_CONNECTION_REQUEST),
        ("LinkedIn · connection request", T.LINKEDIN_CONNECTION_REQUEST),
    ],
)
def test_task_type_words_reps_type(text: str, expected: TaskType) -> None:
    assert parse_task_type(text) is expected


@pytest.mark.parametrize("text", ["", "   ", "blah", "tomorrow", "8PvBmrB7P7", "linkedin", "email"])
def test_words_that_name_no_task_type(text: str) -> None:
    assert parse_task_type(text) is None


def test_every_type_has_synonyms_and_every_full_label_parses() -> None:
    assert set(TASK_TYPE_SYNONYMS) == set(TaskType)
    for task_type in TaskType:
        assert parse_task_type(task_type.full_label) is task_type


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("urgent", Priority.URGENT),
        ("ASAP", Priority.URGENT),
        ("critical", Priority.URGENT),
        ("p1", Priority.URGENT),
        ("!!!", Priority.URGENT),
        ("1", Priority.URGENT),
        ("urgent!", Priority.URGENT),
        ("high", Priority.HIGH),
        ("P2", Priority.HIGH),
        ("!!", Priority.HIGH),
        ("high priority", Priority.HIGH),
        ("priority: high", Priority.HIGH),
        ("medium", Priority.MEDIUM),
        ("normal", Priority.MEDIUM),
        ("p3", Priority.MEDIUM),
        ("!", Priority.MEDIUM),
        ("low", Priority.LOW),
        ("p4", Priority.LOW),
        ("Low Priority", Priority.LOW),
        ("very urgent", Priority.URGENT),
        ("top prio", Priority.URGENT),
        ("hi-pri", Priority.HIGH),
    ],
)
def test_priority_words(text: str, expected: Priority) -> None:
    assert parse_priority(text) is expected


@pytest.mark.parametrize(
    "text", ["", "5", "p5", "highish", "!!!!!", "priority", "hi", "mid", "whenever", "someday", "top"]
)
def test_words_that_name_no_priority(text: str) -> None:
    assert parse_priority(text) is None


def test_longest_phrase_wins_in_a_word_stream() -> None:
    words = ["call", "follow-up", "tomorrow"]
    assert match_task_type(words, 0) == (T.CALL_FOLLOW_UP, 2)
    assert match_task_type(["wa", "voice", "note", "now"], 0) == (T.WHATSAPP_VOICE_MESSAGE, 3)
    assert match_task_type(["tomorrow", "call"], 0) is None


def test_generic_channel_word_yields_to_a_specific_type_of_its_channel() -> None:
    assert refine_task_type(T.CALL_OTHER, T.CALL_DEMO) is T.CALL_DEMO
    assert refine_task_type(T.CALL_DEMO, T.CALL_OTHER) is T.CALL_DEMO
    assert refine_task_type(T.WHATSAPP_MESSAGE, T.WHATSAPP_VOICE_CALL) is T.WHATSAPP_VOICE_CALL
    assert refine_task_type(T.CALL_DEMO, T.CALL_DEMO) is T.CALL_DEMO
    assert refine_task_type(T.CALL_DEMO, T.CALL_FOLLOW_UP) is None
    assert refine_task_type(T.CALL_OTHER, T.LINKEDIN_MESSAGE) is None


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_vocabulary_parsers_take_any_text(text: str) -> None:
    assert parse_task_type(text) is None or isinstance(parse_task_type(text), TaskType)
    assert parse_priority(text) is None or isinstance(parse_priority(text), Priority)
