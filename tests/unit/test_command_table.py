"""The one command table is consistent with the flows it names."""

from flows import FLOWS
from flows.commands import TABLE


def test_every_flow_command_opens_a_flow_of_its_name():
    assert [c.name for c in TABLE if c.flow and c.name not in FLOWS] == []


def test_a_data_right_is_open_to_anyone_and_only_flows_ask_for_onboarding():
    assert all(c.flow and not c.needs_onboarding for c in TABLE if c.data_right)
    assert all(c.flow for c in TABLE if c.needs_onboarding)


def test_names_are_unique_and_the_menu_stays_short():
    names = [c.name for c in TABLE]
    assert len(names) == len(set(names))
    assert 0 < sum(c.in_menu for c in TABLE) <= 8
