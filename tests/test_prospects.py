import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import ProspectRef
from bot.parsing import ProspectLinkPatterns, parse_prospect_refs
from bot.parsing.prospects import looks_like_prospect_id, prospect_from_word, split_references

CRM = ProspectLinkPatterns((r"https://crm\.example\.com/people/(?P<id>[A-Za-z0-9]+)",))


@pytest.mark.parametrize(
    "word", ["8PvBmrB7P7", "Pr9xQ2Lm", "Mw5Mjoo1wb", "7PWYDWW7zo", "PvBmrBQw", "a9B3k2Lq", "jzRkmgMdwA"]
)
def test_api_shaped_ids_are_prospects(word: str) -> None:
    assert looks_like_prospect_id(word)


@pytest.mark.parametrize(
    "word",
    [
        "follow", "Tomorrow", "ACME", "hello", "12345678", "ab1", "a" * 17 + "1", "8PvB-rB7P7", "iPh",
        "abc123", "LinkedIn", "WhatsApp", "HubSpot", "SalesForce", "PowerPoint", "McDonald",
        "JavaScript", "iPhone", "iPhone12", "COVID19", "FY2027", "Salesforce2024", "Q4FY26", "SKU12345",
        "Win11Pro",
    ],
)
def test_ordinary_words_are_not_ids(word: str) -> None:
    assert not looks_like_prospect_id(word)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("https://my.saleshandy.com/prospects/8PvBmrB7P7", "8PvBmrB7P7"),
        ("https://my.saleshandy.com/prospects/8PvBmrB7P7/", "8PvBmrB7P7"),
        ("https://app.saleshandy.com/sequence/12/prospects?prospectId=Pr9xQ2Lm", "Pr9xQ2Lm"),
        ("https://saleshandy.com/p/Mw5Mjoo1wb?tab=activity", "Mw5Mjoo1wb"),
        ("<https://my.saleshandy.com/prospects/8PvBmrB7P7>", "8PvBmrB7P7"),
        ("<https://my.saleshandy.com/x?prospectId=Pr9xQ2Lm&amp;tab=1|Jane>", "Pr9xQ2Lm"),
    ],
)
def test_saleshandy_links_give_their_prospect_id(word: str, expected: str) -> None:
    prospect = prospect_from_word(word)
    assert prospect is not None and prospect.id == expected
    assert prospect.link is not None and "&amp;" not in prospect.link


@pytest.mark.parametrize(
    "word",
    [
        "https://my.saleshandy.com/prospects",
        "https://evil-saleshandy.com/prospects/8PvBmrB7P7",
        "https://saleshandy.com.evil.io/p/8PvBmrB7P7",
        "<https://example.com/8PvBmrB7P7|x>",
        "<@U12345678>",
        "<!channel>",
        "<#C0123ABCD|general>",
    ],
)
def test_other_links_and_mentions_name_no_prospect(word: str) -> None:
    assert prospect_from_word(word) is None


def test_slack_link_label_becomes_the_display_name() -> None:
    prospect = prospect_from_word("<https://my.saleshandy.com/prospects/8PvBmrB7P7|Jane &amp; Co>")
    assert prospect == ProspectRef(
        id="8PvBmrB7P7",
        display_name="Jane & Co",
        link="https://my.saleshandy.com/prospects/8PvBmrB7P7",
    )
    assert prospect.shown_as == "Jane & Co"


def test_configured_patterns_find_ids_in_other_links() -> None:
    prospect = prospect_from_word("https://crm.example.com/people/abcDEF12", CRM)
    assert prospect is not None and prospect.id == "abcDEF12"
    assert prospect_from_word("https://crm.example.com/people/abcDEF12") is None


def test_split_keeps_slack_links_with_spaces_in_their_labels_whole() -> None:
    text = "a,b;c\n<https://x.saleshandy.com/p/8PvBmrB7P7|Jane Doe>  d"
    assert split_references(text) == [
        "a", "b", "c", "<https://x.saleshandy.com/p/8PvBmrB7P7|Jane Doe>", "d",
    ]


def test_field_text_gives_prospects_in_order_without_duplicates_and_the_leftovers() -> None:
    scan = parse_prospect_refs(
        "8PvBmrB7P7, Pr9xQ2Lm\nhttps://my.saleshandy.com/prospects/8PvBmrB7P7 oops Mw5Mjoo1wb"
    )
    assert [p.id for p in scan.prospects] == ["8PvBmrB7P7", "Pr9xQ2Lm", "Mw5Mjoo1wb"]
    assert scan.unrecognised == ("oops",)


@pytest.mark.parametrize(
    "url",
    [
        "https://my.saleshandy.com/sequence/Seq123abc",
        "https://my.saleshandy.com/templates/Tmpl2025x",
        "https://my.saleshandy.com/settings/profile123",
    ],
)
def test_saleshandy_pages_of_other_objects_are_not_prospects(url: str) -> None:
    assert prospect_from_word(url) is None


def test_a_configured_pattern_capturing_something_that_is_no_id_names_no_prospect() -> None:
    loose = ProspectLinkPatterns((r"crm\.example\.com/p/(?P<id>[^/\s]+)",))
    assert prospect_from_word("https://crm.example.com/p/a.b", loose) is None
    assert parse_prospect_refs("https://crm.example.com/p/a.b", links=loose).unrecognised == (
        "https://crm.example.com/p/a.b",
    )


@pytest.mark.parametrize(
    "word", ["`8PvBmrB7P7`", "*8PvBmrB7P7*", "_8PvBmrB7P7_", "8PvBmrB7P7!", "8PvBmrB7P7:"]
)
def test_ids_wrapped_in_formatting_or_punctuation_are_read(word: str) -> None:
    prospect = prospect_from_word(word)
    assert prospect is not None and prospect.id == "8PvBmrB7P7"


def test_slack_escaped_ampersands_between_prospects_are_words_not_junk() -> None:
    assert split_references("8PvBmrB7P7 &amp; Pr9xQ2Lm") == ["8PvBmrB7P7", "&", "Pr9xQ2Lm"]


link_patterns = st.lists(
    st.sampled_from(
        [
            r"(?P<id>[^/\s]+)$",
            r"crm\.example\.com/p/(?P<id>\w+)",
            r"(?P<id>.*)",
            r"id=(?P<id>[^&]*)",
            r"(?P<id>\d+)",
        ]
    ),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), link_patterns)
def test_any_text_and_any_configured_patterns_give_a_scan_and_never_raise(
    text: str, patterns: list[str]
) -> None:
    scan = parse_prospect_refs(text, links=ProspectLinkPatterns(tuple(patterns)))
    assert len({p.id for p in scan.prospects}) == len(scan.prospects)


@pytest.mark.parametrize(
    ("word", "email"),
    [
        ("jane@acme.com", "jane@acme.com"),
        ("Jane.Doe+sales@Acme.co.uk", "jane.doe+sales@acme.co.uk"),
        ("<mailto:jane@acme.com|jane@acme.com>", "jane@acme.com"),
        ("mailto:jane@acme.com?subject=hi", "jane@acme.com"),
        ("(jane@acme.com),", "jane@acme.com"),
        ("`jane@acme.com`", "jane@acme.com"),
    ],
)
def test_emails_in_every_form_a_rep_or_slack_writes_them(word: str, email: str) -> None:
    from bot.parsing.prospects import email_from_word

    assert email_from_word(word) == email


@pytest.mark.parametrize("word", ["jane@", "@acme.com", "jane@acme", "<@U123>", "8PvBmrB7P7", "a@b.c"])
def test_things_that_are_not_emails(word: str) -> None:
    from bot.parsing.prospects import email_from_word

    assert email_from_word(word) is None


def test_a_field_with_ids_links_and_emails_keeps_each_kind_in_order_once() -> None:
    scan = parse_prospect_refs("jane@acme.com 8PvBmrB7P7, JANE@acme.com <mailto:bob@acme.com|bob> oops")
    assert [p.id for p in scan.prospects] == ["8PvBmrB7P7"]
    assert scan.emails == ("jane@acme.com", "bob@acme.com")
    assert scan.unrecognised == ("oops",)


def test_a_repeated_prospect_keeps_its_first_place_and_the_first_name_given() -> None:
    from bot.parsing.prospects import dedupe_prospects

    bare, named, renamed = (
        ProspectRef(id="8PvBmrB7P7"),
        ProspectRef(id="8PvBmrB7P7", display_name="Jane Doe · Acme"),
        ProspectRef(id="8PvBmrB7P7", display_name="Someone else"),
    )
    other = ProspectRef(id="Pr9xQ2Lm")
    assert dedupe_prospects([bare, other, named, renamed]) == (named, other)
