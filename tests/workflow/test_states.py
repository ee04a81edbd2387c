"""The lifecycle allows exactly the documented moves; hypothesis drives random sequences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykeeper.workflow.states import (
    OPEN,
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    State,
    can_move,
    check_move,
)


def test_terminal_states_have_no_exit() -> None:
    for state in TERMINAL:
        assert TRANSITIONS[state] == frozenset()


def test_every_state_is_reachable_from_received() -> None:
    seen, frontier = {State.received}, [State.received]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(State)


def test_execution_needs_review() -> None:
    with pytest.raises(IllegalTransition, match="from received to executing"):
        check_move(State.received, State.executing)
    assert not can_move(State.awaiting_fee, State.executing)
    assert not can_move(State.completed, State.withdrawn)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(State)), max_size=25))
def test_random_walks_only_take_legal_moves(targets: list[State]) -> None:
    current = State.received
    path = [current]
    for target in targets:
        if target in TRANSITIONS[current]:
            current = check_move(current, target)
            path.append(current)
        else:
            with pytest.raises(IllegalTransition):
                check_move(current, target)
    # Once closed, a request stays closed; and every open request can still be closed.
    closed = [i for i, s in enumerate(path) if s in TERMINAL]
    assert not closed or closed[0] == len(path) - 1
    if current in OPEN:
        assert TRANSITIONS[current] & TERMINAL
