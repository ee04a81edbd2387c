"""The request lifecycle as a state machine: the only place that knows which moves are legal."""

from __future__ import annotations

from enum import StrEnum

from policykeeper.errors import IllegalTransition


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


def can_move(current: State | str, target: State | str) -> bool:
    return State(target) in TRANSITIONS[State(current)]


def check_move(current: State | str, target: State | str) -> State:
    """The target state, or IllegalTransition."""
    if not can_move(current, target):
        raise IllegalTransition(State(current).value, State(target).value)
    return State(target)
