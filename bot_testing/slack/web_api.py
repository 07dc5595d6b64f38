"""Answering `/api/<method>` as slack.com does: the token check, scripted faults, the method, the record.

Answers HTTP 200 with `{"ok": false, "error": …}` for API errors and HTTP 429 with `Retry-After`
when rate limited; an unknown method answers `unknown_method`.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl

from bot_testing.http_adapter import Answer, Request
from bot_testing.slack import auth, chat, conversations, users, views
from bot_testing.slack.calls import CallLog
from bot_testing.slack.faults import Faults
from bot_testing.slack.protocol import ApiError, JsonDict, bearer, decode_json_fields, parse_body
from bot_testing.slack.registry import METHODS, ApiCall, WebApiMethod
from bot_testing.slack.workspace import Workspace

FAMILIES = (auth, chat, conversations, users, views)
"""The modules whose methods are registered (importing them registers them)."""
JSON_TYPE = "application/json; charset=utf-8"


class WebApi:
    """The Web API of one fake workspace."""

    def __init__(self, workspace: Workspace, faults: Faults, log: CallLog) -> None:
        self._workspace = workspace
        self._faults = faults
        self._log = log

    def answer(self, method: str, request: Request) -> Answer:
        if self._faults.take_drop(method):
            self._log.record(method, {}, {}, 0, {"ok": False, "error": "connection_dropped"})
            return Answer.dropped()
        delay = self._faults.latency(method)
        if delay:
            time.sleep(delay)
        headers = dict(request.headers)
        params: JsonDict = dict(parse_qsl(request.query, keep_blank_values=True))
        token = bearer(headers) or params.pop("token", None)
        with self._workspace.lock:
            try:
                body_params, json_body = parse_body(request.body, headers.get("content-type", ""))
                if not json_body:  # Slack refuses a token inside a JSON body
                    token = token or body_params.get("token")
                params.update(body_params)
                params.pop("token", None)
                decode_json_fields(params)
                status, body, extra = self._call(method, token, params)
            except ApiError as err:
                status, body, extra = 200, err.body(), {}
            team = self._workspace.installs.team_of(token)
            self._log.record(method, params, headers, status, body, team=team, token=token or None)
        return Answer(status, json.dumps(body).encode(), JSON_TYPE, extra)

    def _call(self, method: str, token: str | None, params: JsonDict) -> tuple[int, JsonDict, dict[str, str]]:
        known = METHODS.get(method)
        if known is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}
        call = self._authorized(known, token, params)
        retry_after = self._faults.take_rate_limit(method)
        if retry_after is not None:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        error = self._faults.take_failure(method)
        if error is not None:
            raise ApiError(error)
        return 200, {"ok": True, **known.answer(self._workspace, call)}, {}

    def _authorized(self, method: WebApiMethod, token: str | None, params: JsonDict) -> ApiCall:
        installs = self._workspace.installs
        if method.token is not None:
            if not token:
                raise ApiError("not_authed")
            installs.check(method.token, token)
        # whose views this call makes
        return ApiCall(params, token, installs.team_of(token) or self._workspace.team_id)
