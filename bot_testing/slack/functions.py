"""`functions.*`: a Workflow Builder step (a custom function) completed or failed by the app, once."""

from __future__ import annotations

from bot_testing.slack.protocol import ApiError, JsonDict, required
from bot_testing.slack.registry import ApiCall, web_api_method
from bot_testing.slack.workspace import Workspace


@web_api_method("functions.completeSuccess")
def complete_success(workspace: Workspace, call: ApiCall) -> JsonDict:
    execution_id = required(call.params, "function_execution_id", "invalid_arguments")
    if "outputs" not in call.params:
        raise ApiError("invalid_arguments", messages=["[ERROR] missing required field: outputs"])
    workspace.executions.complete(execution_id, call.params["outputs"])
    return {}


@web_api_method("functions.completeError")
def complete_error(workspace: Workspace, call: ApiCall) -> JsonDict:
    execution_id = required(call.params, "function_execution_id", "invalid_arguments")
    error = required(call.params, "error", "invalid_arguments")
    workspace.executions.fail(execution_id, error)
    return {}
