import pytest

from bot.domain import ProspectRef
from bot.parsing import ProspectLinkPatterns, parse_prospect_refs
from bot.parsing.prospects import looks_like_prospect_id, prospect_from_word, split_references

CRM = ProspectLinkPatterns((r"https://crm\.example\.com/people/(?P<id>[A-Za-z0-9]+)",))


@pytest.mark.parametrize("word", ["8PvBmrB7P7", "Pr9xQ2Lm", "Mw5Mjoo1wb", "abc123", "PvBmrBQw"])
def test_api_shaped_ids_are_prospects(word: str) -> None:
    assert looks_like_prospect_id(word)


@pytest.mark.parametrize(
    "word",
    ["follow", "Tomorrow", "ACME", "hello", "12345678", "ab1", "a" * 17 + "1", "8PvB-rB7P7", "iPh"],
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
