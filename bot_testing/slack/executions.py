"""Workflow Builder custom steps as Slack runs them: the app's functions (as its manifest declares them)
and their executions, each running until the app completes it once (`functions.completeSuccess`, with
outputs that must match the declared output parameters) or fails it (`functions.completeError`).

An execution hands the app a short-lived `bot_access_token` (in the `function_executed` event): the fake
accepts it as a bot token while the execution runs, and no longer once it ended.

An input of type `slack#/types/user_context` is Slack's to fill, never the workflow builder's: Workflow
Builder shows no field for it and sets it from the person who ran the workflow, and the event carries it
as an object, `{"id": "U…", "secret": "…"}` (the secret is Slack's, to check the context when it is passed
on). The fake fills it from `ran_by` and refuses a value given for it.
"""

from __future__ import annotations

import copy
import secrets
import threading
from dataclasses import dataclass, replace
from typing import Literal

from bot_testing.slack.installs import Installs
from bot_testing.slack.protocol import ApiError, JsonDict

State = Literal["running", "completed", "failed"]

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}
"""What each parameter type holds in JSON; Slack's own types (`slack#/types/user_id`…) are strings, but
for `slack#/types/user_context`, an object."""
USER_CONTEXT_TYPE = "slack#/types/user_context"


@dataclass(frozen=True)
class FunctionExecution:
    """One run of a function as a workflow step, as it is now."""

    id: str
    callback_id: str
    inputs: JsonDict
    workflow_execution_id: str
    bot_access_token: str
    state: State = "running"
    outputs: JsonDict | None = None
    error: str | None = None


class Executions:
    """The app's functions and their executions. Thread-safe."""

    def __init__(self, installs: Installs) -> None:
        self._installs = installs
        self._lock = threading.Lock()
        self._definitions: dict[str, JsonDict] = {}
        self._runs: dict[str, FunctionExecution] = {}

    def define(self, callback_id: str, definition: JsonDict) -> None:
        """Declare a function as the manifest's `functions.<callback_id>` does (`input_parameters`,
        `output_parameters`: name → {type, is_required, …})."""
        with self._lock:
            self._definitions[callback_id] = copy.deepcopy(definition)

    def definition(self, callback_id: str) -> JsonDict:
        with self._lock:
            if callback_id not in self._definitions:
                raise LookupError(f"no function {callback_id!r}: declare it with add_function first")
            return copy.deepcopy(self._definitions[callback_id])

    def start(self, callback_id: str, inputs: JsonDict, *, ran_by: str | None = None) -> FunctionExecution:
        """A workflow reaches the step: an execution, running, with its own token. `ran_by`: the person
        who ran the workflow (its trigger's user, or whoever pressed a button in an earlier step), whom
        Slack puts in every `user_context` input; None when nobody did (a scheduled trigger)."""
        definition = self.definition(callback_id)
        given = copy.deepcopy(inputs)
        for name, parameter in (definition.get("input_parameters") or {}).items():
            if parameter.get("type") != USER_CONTEXT_TYPE:
                continue
            if name in given:
                raise ValueError(f"Workflow Builder lets no builder set the user_context input {name!r}")
            if ran_by is not None:
                given[name] = {"id": ran_by, "secret": secrets.token_hex(16)}
        for name, parameter in (definition.get("input_parameters") or {}).items():
            if parameter.get("is_required") and given.get(name) in (None, ""):
                raise ValueError(f"Workflow Builder runs no step without its required input {name!r}")
        execution = FunctionExecution(
            id=f"Fx{secrets.token_hex(5).upper()}",
            callback_id=callback_id,
            inputs=given,
            workflow_execution_id=f"Wx{secrets.token_hex(5).upper()}",
            bot_access_token=self._installs.issue_function_token(),
        )
        with self._lock:
            self._runs[execution.id] = execution
        return execution

    def get(self, execution_id: str) -> FunctionExecution:
        with self._lock:
            return self._runs[execution_id]

    def all(self) -> list[FunctionExecution]:
        with self._lock:
            return list(self._runs.values())

    def reset(self) -> None:
        """Forget the executions (their tokens stop working); the functions stay declared."""
        with self._lock:
            runs, self._runs = self._runs, {}
        for execution in runs.values():
            self._installs.retire_function_token(execution.bot_access_token)

    # ---- for functions.completeSuccess / completeError ------------------------------------------

    def complete(self, execution_id: str, outputs: object) -> None:
        with self._lock:
            execution = self._running(execution_id)
            definition = self._definitions[execution.callback_id]
            problems = _output_problems(definition.get("output_parameters") or {}, outputs)
            if problems:
                raise ApiError("parameter_validation_failed", messages=problems)
            assert isinstance(outputs, dict)  # checked above
            self._end(replace(execution, state="completed", outputs=copy.deepcopy(outputs)))

    def fail(self, execution_id: str, error: str) -> None:
        with self._lock:
            self._end(replace(self._running(execution_id), state="failed", error=error))

    def _running(self, execution_id: str) -> FunctionExecution:
        execution = self._runs.get(execution_id)
        if execution is None:
            raise ApiError("function_execution_not_found")
        if execution.state != "running":
            raise ApiError("execution_not_in_running_state")
        return execution

    def _end(self, execution: FunctionExecution) -> None:
        self._runs[execution.id] = execution
        self._installs.retire_function_token(execution.bot_access_token)


def _output_problems(declared: JsonDict, outputs: object) -> list[str]:
    """What Slack would say is wrong with `outputs` for these output parameters (none: they fit)."""
    if not isinstance(outputs, dict):
        return ["[ERROR] outputs must be an object"]
    problems = [f"[ERROR] unknown output parameter: {name}" for name in outputs if name not in declared]
    for name, parameter in declared.items():
        if name not in outputs:
            if parameter.get("is_required"):
                problems.append(f"[ERROR] missing required output parameter: {name}")
            continue
        kind = str(parameter.get("type", "string"))
        wanted = _PYTHON_TYPES.get(kind, (str,))
        value = outputs[name]
        if not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted):
            problems.append(f"[ERROR] output parameter {name} must be of type {kind}")
    return problems
