"""Every effect a flow asks for exists, and every result it can return leads somewhere."""

from __future__ import annotations

import bot.turn.turns  # noqa: F401  (imports bot.features, which registers every effect)
from bot.turn.effects import EFFECTS
from flows import FLOWS
from flows.effect_names import EFFECT_NAMES


def test_every_effect_state_names_a_registered_effect():
    named = {s.effect for f in FLOWS.values() for s in f.states.values() if s.effect}
    assert named, "the linking flows use effects"
    assert named <= set(EFFECTS), named - set(EFFECTS)


def test_the_effect_name_type_lists_exactly_the_registered_effects():
    assert set(EFFECTS) == EFFECT_NAMES, set(EFFECTS) ^ EFFECT_NAMES


def test_effect_states_ask_nothing():
    for flow in FLOWS.values():
        for state in flow.states.values():
            if state.effect:
                assert not state.prompt and not state.options and state.on_result
