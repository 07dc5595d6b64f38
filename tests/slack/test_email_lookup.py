"""Prospects named by email (issue #4): in /task text, in the form, in a message the shortcut runs on.
Each email becomes the prospect whose email it is (exactly, any case), looked up after the ack, once per
distinct email, within the rate limit; an email that is not found, or could not be looked up, gets a line
of its own by email; results show the person (name · company · email) beside the ID. Dispatched to Bolt
in this process, on SQLite (the replay on PostgreSQL too: it is told apart by what the database keeps)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest

from bot.domain import TaskType
from bot.slack import ids
from bot_testing.saleshandy import FakeSaleshandy
from bot_testing.slack import FakeSlack, RecordedCall
from bot_testing.slack_driver import fill_view
from tests.helpers.escaping import markup_from_user_text
from tests.helpers.slack_app import (
    CHANNEL,
    RETRIES_AT_ONCE,
    input_element,
    message_text,
    opened_view,
    rich_text,
    wait_for_creates,
    wait_until,
)
from tests.slack.conftest import BoltUnderTest

JANE_ID, JANE = "8PvBmrB7P7", "jane@acme.com"
ANN_ID, ANN = "aN7kQ2xLm4", "ann@lee.io"
BOB_ID, BOB = "bR5tY8wPz1", "bob.roe@roe-partners.co.uk"
UNKNOWN = "nobody@nowhere.example"
JANE_SHOWN = f"*Jane Doe · Acme · {JANE}* ({JANE_ID})"

pytestmark = pytest.mark.parametrize(
    "bolt", [pytest.param(RETRIES_AT_ONCE, id="retries at once")], indirect=True
)


@pytest.fixture
def prospects(bolt: BoltUnderTest) -> FakeSaleshandy:
    """The fake Saleshandy knowing Jane, Ann and Bob."""
    saleshandy = bolt.saleshandy
    saleshandy.add_prospect(JANE_ID, email=JANE, first_name="Jane", last_name="Doe", company="Acme")
    saleshandy.add_prospect(ANN_ID, email=ANN, first_name="Ann", last_name="Lee", company="Lee & Co")
    saleshandy.add_prospect(BOB_ID, email=BOB, first_name="Bob", last_name="Roe")
    return saleshandy


def searched(saleshandy: FakeSaleshandy) -> list[str]:
    """The `search` text of every prospect search the fake received, in order."""
    return [parse_qs(r.query)["search"][0] for r in saleshandy.search_requests]


def results_reply(slack: FakeSlack) -> RecordedCall:
    """The results of a /task: the thread reply under the parent message."""
    parent, reply = slack.wait_for("chat.postMessage", count=2)
    assert reply.params["thread_ts"] == parent.response_json["ts"]
    return reply


def lines_of(call: RecordedCall) -> list[str]:
    """The per-prospect lines of a results message (every line of its sections)."""
    return [
        line
        for block in call.params.get("blocks") or []
        if block.get("type") == "section"
        for line in block["text"]["text"].split("\n")
    ]


def line_for(call: RecordedCall, needle: str) -> str:
    """The one line of the results naming `needle` (an ID, or an email in any case)."""
    (line,) = [line for line in lines_of(call) if needle.lower() in line.lower()]
    return line


# ---- /task text -------------------------------------------------------------------------------------------


def test_two_emails_one_known_one_unknown_create_one_task_and_report_the_other_by_email(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    # Slack sends a typed address as a mailto link; a pasted one may come plain.
    response = bolt.send.slash_command(f"call tomorrow <mailto:{JANE}|{JANE}> {UNKNOWN}")
    assert response.status == 200 and response.body == ""

    reply = results_reply(bolt.slack)
    (create,) = prospects.create_requests
    assert create.body["prospectIds"] == [JANE_ID]
    assert sorted(searched(prospects)) == sorted([JANE, UNKNOWN])
    assert [t.prospect_id for t in prospects.tasks] == [JANE_ID]
    task_id = prospects.tasks[0].task_id
    assert line_for(reply, JANE) == f"✅ {JANE_SHOWN} — task {task_id}"
    assert line_for(reply, UNKNOWN).startswith(f"❌ *{UNKNOWN}* — no prospect with this email")
    assert "1 created · 1 failed" in message_text(reply.params)
    assert reply.params["text"] == "1 created · 1 failed"
    assert bolt.slack.calls("response_url") == []


def test_ids_and_emails_mixed_the_ids_then_the_prospects_the_emails_found(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    bolt.send.slash_command(f"demo Pr9xQ2Lm {ANN} INVALIDxx1 {UNKNOWN} {BOB}")

    reply = results_reply(bolt.slack)
    (create,) = prospects.create_requests
    assert create.body["prospectIds"] == ["Pr9xQ2Lm", "INVALIDxx1", ANN_ID, BOB_ID]
    assert len(prospects.search_requests) == 3  # the emails only: IDs are never looked up
    assert "3 created · 2 failed" in message_text(reply.params)
    assert line_for(reply, "Pr9xQ2Lm").startswith("✅ *Pr9xQ2Lm* — task ")
    assert line_for(reply, "INVALIDxx1").startswith("❌ *INVALIDxx1* — ")
    assert line_for(reply, ANN).startswith(f"✅ *Ann Lee · Lee &amp; Co · {ANN}* ({ANN_ID}) — task ")
    assert line_for(reply, BOB).startswith(f"✅ *Bob Roe · {BOB}* ({BOB_ID}) — task ")  # no company known
    assert line_for(reply, UNKNOWN).startswith(f"❌ *{UNKNOWN}* — no prospect with this email")


def test_a_prospect_named_by_id_and_by_email_is_one_prospect_shown_by_name(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    bolt.send.slash_command(f"call {JANE_ID} {JANE}")

    reply = results_reply(bolt.slack)
    (create,) = prospects.create_requests
    assert create.body["prospectIds"] == [JANE_ID]
    assert "1 created" in message_text(reply.params) and "failed" not in message_text(reply.params)
    # The app learnt who this is from the email: the line says so, with the ID beside it.
    assert line_for(reply, JANE_ID).startswith(f"✅ {JANE_SHOWN} — task ")


def test_the_same_email_twice_and_in_other_cases_is_one_search_and_one_prospect(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    upper = JANE.upper()
    bolt.send.slash_command(
        f"call {JANE} <mailto:{JANE}|{JANE}> Jane@Acme.COM <mailto:{upper}|{upper}>"
    )

    reply = results_reply(bolt.slack)
    assert searched(prospects) == [JANE]
    (create,) = prospects.create_requests
    assert create.body["prospectIds"] == [JANE_ID]
    assert [line for line in lines_of(reply) if JANE in line.lower()] == [line_for(reply, JANE_ID)]


def test_an_email_kept_with_capitals_in_saleshandy_is_found_in_any_case(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    prospects.add_prospect("Pr9xQ2Lm", email="Max.Mustermann@Example.DE", first_name="Max")
    bolt.send.slash_command("call <mailto:max.mustermann@example.de|max.mustermann@example.de>")

    reply = results_reply(bolt.slack)
    (create,) = prospects.create_requests
    assert create.body["prospectIds"] == ["Pr9xQ2Lm"]
    # Shown as Saleshandy keeps it.
    assert line_for(reply, "Pr9xQ2Lm").startswith("✅ *Max · Max.Mustermann@Example.DE* (Pr9xQ2Lm) — task ")


def test_an_email_is_matched_exactly_never_by_the_searchs_substring_match(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    """The search matches substrings: "jo@acme.com" also finds "bojo@acme.com", who is someone else."""
    prospects.add_prospect("Pr9xQ2Lm", email="bojo@acme.com", first_name="Bo", last_name="Jo")
    bolt.send.slash_command(f"call jo@acme.com {ANN}")

    reply = results_reply(bolt.slack)
    (create,) = prospects.create_requests
    assert create.body["prospectIds"] == [ANN_ID]
    assert line_for(reply, "jo@acme.com").startswith("❌ *jo@acme.com* — no prospect with this email")
    assert "bojo" not in message_text(reply.params)


@pytest.mark.parametrize("status", [400, 403])
def test_a_refused_search_is_not_sent_again_and_the_email_is_reported_as_not_looked_up(
    bolt: BoltUnderTest, prospects: FakeSaleshandy, status: int
) -> None:
    prospects.fail_next(status, "<!channel> refused", endpoint="search")
    bolt.send.slash_command(f"call {ANN_ID} {JANE}")

    reply = results_reply(bolt.slack)
    bolt.drain()  # longer than the client's first backoff: a retry would have gone out by now
    assert searched(prospects) == [JANE]  # one request, not retried: asking again changes nothing
    (create,) = prospects.create_requests
    assert create.body["prospectIds"] == [ANN_ID]
    line = line_for(reply, JANE)
    assert line.startswith(f"❌ *{JANE}* — could not look this email up: ")
    assert "&lt;!channel&gt; refused" in line  # Saleshandy's words, escaped
    assert "1 created · 1 failed" in message_text(reply.params)
    assert markup_from_user_text(bolt.slack) == []


def test_a_search_that_failed_with_a_5xx_is_sent_again_and_the_email_found(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    prospects.fail_next(500, endpoint="search")
    bolt.send.slash_command(f"call {JANE}")

    reply = results_reply(bolt.slack)
    assert searched(prospects) == [JANE, JANE]  # a GET is idempotent: sent again after a 5xx
    (create,) = prospects.create_requests
    assert create.body["prospectIds"] == [JANE_ID]
    assert line_for(reply, JANE).startswith(f"✅ {JANE_SHOWN} — task ")
    assert "1 created" in message_text(reply.params) and "failed" not in message_text(reply.params)


def test_when_no_email_belongs_to_a_prospect_nothing_is_created_and_the_rep_is_told(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    slack = bolt.slack
    bolt.send.slash_command(f"call tomorrow {UNKNOWN} <mailto:jo@acme.com|jo@acme.com>")

    (told,) = slack.wait_for("response_url")
    shown = message_text(told.params)
    assert "Nothing was created" in shown
    assert f"❌ *{UNKNOWN}* — no prospect with this email" in shown
    assert "❌ *jo@acme.com* — no prospect with this email" in shown
    bolt.drain()
    assert prospects.create_requests == [] and prospects.tasks == []
    assert len(prospects.search_requests) == 2
    assert slack.calls("chat.postMessage") == []  # told privately: nothing happened in the channel


def test_when_every_lookup_failed_the_rep_is_not_told_the_emails_are_unknown(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    """Jane exists: the search was refused. "No such prospect" would be untrue, and send the rep off to
    check an address that is right."""
    prospects.fail_next(403, endpoint="search")
    bolt.send.slash_command(f"call {JANE}")

    (told,) = bolt.slack.wait_for("response_url")
    shown = message_text(told.params)
    assert "Nothing was created" in shown
    assert f"❌ *{JANE}* — could not look this email up: " in shown
    assert "none of these emails belongs" not in shown and "no prospect with this email" not in shown
    assert prospects.create_requests == []


def test_the_command_is_acked_at_once_while_the_searches_are_slow(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    prospects.set_latency(1.2)  # an ack that waited for a search would take longer than the 1.0 allowed
    started = time.perf_counter()
    response = bolt.send.slash_command(f"call {JANE} {ANN} {BOB}")
    acked_in = time.perf_counter() - started
    assert response.status == 200 and response.body == ""
    assert acked_in < 1.0, f"acked in {acked_in:.2f}s"
    prospects.set_latency(0)
    prospects.answer_waiting()  # the searches already sent need not take their time either

    reply = results_reply(bolt.slack)
    (create,) = prospects.create_requests
    assert sorted(create.body["prospectIds"]) == sorted([JANE_ID, ANN_ID, BOB_ID])
    assert "3 created" in message_text(reply.params)


@pytest.mark.slow
def test_lookups_run_in_parallel(bolt: BoltUnderTest, prospects: FakeSaleshandy) -> None:
    """Three searches answered in 0.5 s each: together well under the 1.5 s they would take in turn."""
    prospects.set_latency(0.5)
    bolt.send.slash_command(f"call {JANE} {ANN} {BOB}")
    wait_until(lambda: len(prospects.search_requests) == 3, timeout=0.9, what="three searches at once")
    prospects.set_latency(0)
    prospects.answer_waiting()
    reply = results_reply(bolt.slack)  # all done before the next test
    assert "3 created" in message_text(reply.params)


@pytest.mark.slow
def test_lookups_stay_within_the_rate_limit_one_search_per_email(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    """More emails than the window allows, looked up several at a time: no search is sent past the
    limit (so none is answered 429 and sent again), and every email is found."""
    emails = [f"lead{n}@bench.example.com" for n in range(8)]
    for n, email in enumerate(emails):
        prospects.add_prospect(f"Lx7Qz{n:04d}", email=email, first_name="Lead", last_name=str(n))
    prospects.set_latency(0.1)
    prospects.set_rate_limit(5, window_seconds=1)

    bolt.send.slash_command("call " + " ".join(emails))

    reply = results_reply(bolt.slack)
    assert sorted(searched(prospects)) == sorted(emails)  # one each: none answered 429 and sent again
    (create,) = prospects.create_requests
    assert sorted(create.body["prospectIds"]) == [f"Lx7Qz{n:04d}" for n in range(8)]
    assert "8 created" in message_text(reply.params) and "failed" not in message_text(reply.params)


@pytest.mark.both_databases  # the replay is told apart by the submission kept under its key
def test_a_replayed_command_with_emails_creates_once_and_searches_each_email_once(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    driver = bolt.send
    fields = driver.slash_command_fields(f"call {JANE} {ANN}")
    body = urlencode(fields)
    headers = driver.signed_headers(body)
    assert driver.dispatch(body, headers).status == 200
    results_reply(bolt.slack)
    assert driver.dispatch(body, headers).status == 200  # the same signed request again
    bolt.drain()

    assert len(prospects.create_requests) == 1
    assert sorted(searched(prospects)) == sorted([JANE, ANN])
    assert len(bolt.slack.calls("chat.postMessage")) == 2


# ---- the form ---------------------------------------------------------------------------------------------


def test_the_forms_prospects_field_takes_emails(bolt: BoltUnderTest, prospects: FakeSaleshandy) -> None:
    slack = bolt.slack
    assert bolt.send.slash_command("").status == 200
    view = opened_view(slack)
    assert prospects.requests == []

    prospects.set_latency(1.2)  # the form closes at once all the same
    values = fill_view(view, {
        ids.TASK_TYPE_ACTION_ID: TaskType.CALL_DEMO.code,
        ids.PROSPECTS_ACTION_ID: f"{JANE}\nPr9xQ2Lm, <{UNKNOWN}>; mailto:{ANN}",
    })
    started = time.perf_counter()
    response = bolt.send.view_submission(view, values)
    assert response.status == 200 and response.body == ""  # no field errors: emails are prospects
    assert time.perf_counter() - started < 1.0
    prospects.set_latency(0)
    prospects.answer_waiting()

    reply = results_reply(slack)
    (create,) = prospects.create_requests
    assert create.body["prospectIds"] == ["Pr9xQ2Lm", JANE_ID, ANN_ID]
    assert sorted(searched(prospects)) == sorted([JANE, UNKNOWN, ANN])
    assert line_for(reply, JANE).startswith(f"✅ {JANE_SHOWN} — task ")
    assert line_for(reply, UNKNOWN).startswith(f"❌ *{UNKNOWN}* — no prospect with this email")
    assert "3 created · 1 failed" in message_text(reply.params)


def test_a_command_that_opens_the_form_keeps_its_emails_in_the_prospects_field(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    """No task type: the form opens with what was understood, the email among the prospects (not
    looked up yet: nothing is sent to Saleshandy before the rep submits)."""
    bolt.send.slash_command(f"{JANE} Pr9xQ2Lm tomorrow")
    view = opened_view(bolt.slack)
    assert input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"].split("\n") == ["Pr9xQ2Lm", JANE]
    bolt.drain()
    assert prospects.requests == []

    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: TaskType.CALL_FOLLOW_UP.code})
    assert bolt.send.view_submission(view, values).body == ""
    (create,) = wait_for_creates(prospects, 1)
    assert create.body["prospectIds"] == ["Pr9xQ2Lm", JANE_ID]


# ---- the message shortcut ---------------------------------------------------------------------------------


def message_with_emails(app: BoltUnderTest) -> dict[str, Any]:
    """Emails as Slack keeps them: a mailto link in the text (and as a link in its rich text), a plain
    address in a rich-text run, and one in the text of an unfurled link (a CRM's page)."""
    return app.slack.add_message(
        CHANNEL,
        f"Please follow up with <mailto:{ANN}|{ANN}>",
        blocks=rich_text(
            {"type": "text", "text": "Please follow up with "},
            {"type": "link", "url": f"mailto:{ANN}", "text": ANN},
            {"type": "text", "text": f" and {BOB}"},
        ),
        attachments=[{
            "from_url": "https://crm.example.com/deals/4411",
            "title": "Deal 4411: Acme renewal",
            "text": f"Champion: Jane Doe ({JANE}), backup {UNKNOWN}",
            "service_name": "Example CRM",
        }],
    )


def test_the_shortcut_prefills_every_email_of_the_message_and_submitting_creates_the_found_ones(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    slack = bolt.slack
    message = message_with_emails(bolt)
    prospects.set_latency(1.5)  # were anything looked up before the form opens, the trigger_id would expire

    response = bolt.send.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)
    assert response.status == 200 and response.body == ""
    view = opened_view(slack)
    prefilled = input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"]
    assert prefilled.split("\n") == [ANN, BOB, JANE, UNKNOWN]
    assert view["blocks"][0]["block_id"] != ids.MODAL_NOTICES_BLOCK_ID  # prospects found: nothing to warn
    assert prospects.requests == []  # looked up on submit, never before the form opens

    prospects.set_latency(0)
    values = fill_view(view, {ids.TASK_TYPE_ACTION_ID: TaskType.LINKEDIN_VIEW_PROFILE.code})
    assert bolt.send.view_submission(view, values).body == ""

    (create,) = wait_for_creates(prospects, 1)
    assert create.body["prospectIds"] == [ANN_ID, BOB_ID, JANE_ID]
    (reply,) = slack.wait_for("chat.postMessage")
    assert reply.params["channel"] == CHANNEL and reply.params["thread_ts"] == message["ts"]
    shown = message_text(reply.params)
    assert "3 created · 1 failed" in shown
    assert line_for(reply, ANN).startswith(f"✅ *Ann Lee · Lee &amp; Co · {ANN}* ({ANN_ID}) — task ")
    assert line_for(reply, JANE).startswith(f"✅ {JANE_SHOWN} — task ")
    assert line_for(reply, UNKNOWN).startswith(f"❌ *{UNKNOWN}* — no prospect with this email")


def test_a_message_with_only_a_mailto_link_is_not_a_message_without_prospects(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    message = bolt.slack.add_message(CHANNEL, f"<mailto:{JANE}|Jane>: call her back")
    bolt.send.message_shortcut(message, callback_id=ids.MESSAGE_SHORTCUT_CALLBACK_ID)
    view = opened_view(bolt.slack)
    assert input_element(view, ids.PROSPECTS_BLOCK_ID)["initial_value"] == JANE
    assert view["blocks"][0]["block_id"] != ids.MODAL_NOTICES_BLOCK_ID


# ---- escaping ---------------------------------------------------------------------------------------------


def test_what_saleshandy_knows_of_a_prospect_is_shown_escaped_and_pings_nobody(
    bolt: BoltUnderTest, prospects: FakeSaleshandy
) -> None:
    prospects.add_prospect(
        "Pr9xQ2Lm", email="mallory@evil.example", first_name="<@U0ADMIN>", last_name="*Mal*",
        company="<!channel>",
    )
    prospects.add_prospect("Qw3eRt5yU", email="eve@evil.example", first_name="<http://evil.example.com|Eve>")
    bolt.send.slash_command("call mallory@evil.example eve@evil.example")

    reply = results_reply(bolt.slack)
    line = line_for(reply, "Pr9xQ2Lm")
    assert line.startswith("✅ *&lt;@U0ADMIN&gt; *Mal* · &lt;!channel&gt; · mallory@evil.example* (Pr9xQ2Lm)")
    assert line_for(reply, "Qw3eRt5yU").startswith(
        "✅ *&lt;http://evil.example.com|Eve&gt; · eve@evil.example* (Qw3eRt5yU)"
    )
    assert markup_from_user_text(bolt.slack) == []
    assert "<@U0ADMIN>" not in message_text(reply.params)
