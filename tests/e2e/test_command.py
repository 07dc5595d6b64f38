"""/task over HTTP: signed requests in, what reached Slack and Saleshandy out."""

from __future__ import annotations

import datetime

from tests.e2e.conftest import RunningApp


def test_a_complete_command_creates_the_tasks_and_reports_in_a_thread(running_app: RunningApp) -> None:
    slack, saleshandy = running_app.slack, running_app.saleshandy
    response = running_app.driver.slash_command("call follow-up tomorrow high 8PvBmrB7P7 INVALIDxx1")
    assert response.status_code == 200

    parent, reply = slack.wait_for("chat.postMessage", count=2)
    tomorrow = running_app.today_for("America/Los_Angeles") + datetime.timedelta(days=1)
    assert [r.body for r in saleshandy.create_requests] == [
        {
            "prospectIds": ["8PvBmrB7P7", "INVALIDxx1"],
            "taskType": "13",
            "priority": "2",
            "dueDate": tomorrow.isoformat(),
        }
    ]
    assert parent.params["channel"] == "C123" and "thread_ts" not in parent.params
    assert reply.params["thread_ts"] == parent.response_json["ts"]
    assert "1 created · 1 failed" in reply.params["text"] or "1 created · 1 failed" in str(reply.params["blocks"])
