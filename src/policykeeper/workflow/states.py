"""The request lifecycle as a state machine: the only place that knows which moves are legal."""

from __future__ import annotations

from enum import StrEnum

from policykeeper.errors import PolicyKeeperError


class State(StrEnum):
    received = "received"
    verifying = "verifying"
    awaiting_fee = "awaiting_fee"
    in_review = "in_review"
    executing = "executing"
    partially_complete = "partially_complete"
    """Executed where PolicyKeeper reaches; waiting for recipients or a processor being retried."""
    completed = "completed"
    denied = "denied"
    withdrawn = "withdrawn"


TERMINAL = frozenset({State.completed, State.denied, State.withdrawn})
OPEN = frozenset(State) - TERMINAL

TRANSITIONS: dict[State, frozenset[State]] = {
    State.received: frozenset(
        {State.verifying, State.awaiting_fee, State.in_review, State.denied, State.withdrawn}
    ),
    State.verifying: frozenset(
        {State.awaiting_fee, State.in_review, State.denied, State.withdrawn}
    ),
    State.awaiting_fee: frozenset({State.in_review, State.denied, State.withdrawn}),
    State.in_review: frozenset({State.executing, State.denied, State.withdrawn}),
    # Execution that fails for good goes back to a person for review; it is never left stuck.
    State.executing: frozenset({State.completed, State.in_review, State.partially_complete}),
    # What was done is not undone: only the places left can settle it (done or waived).
    State.partially_complete: frozenset({State.completed}),
    State.completed: frozenset(),
    State.denied: frozenset(),
    State.withdrawn: frozenset(),
}

EXTENDABLE = frozenset(
    {
        State.received,
        State.verifying,
        State.awaiting_fee,
        State.in_review,
        State.partially_complete,
    }
)
"""An extension moves the deadline, not the state; it is possible while the request is open."""


class IllegalTransition(PolicyKeeperError):
    """A move the lifecycle does not allow, e.g. executing a request that was never reviewed."""

    exit_code = 1

    def __init__(self, current: State | str, target: State | str) -> None:
        self.current = State(current)
        self.target = State(target)
        super().__init__(f"a request cannot go from {self.current.value} to {self.target.value}")


def can_move(current: State | str, target: State | str) -> bool:
    return State(target) in TRANSITIONS[State(current)]


def check_move(current: State | str, target: State | str) -> State:
    """The target state, or IllegalTransition."""
    if not can_move(current, target):
        raise IllegalTransition(current, target)
    return State(target)
