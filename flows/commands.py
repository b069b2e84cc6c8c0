"""The one table of commands: what each opens and who may use it.

The router reads it to decide what a command does, the runtime to fill
Telegram's command menu, /menu and /help name every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandSpec:
    name: str
    # Opens the flow of the same name; the others the router answers itself.
    flow: bool = False
    # Only for someone set up (a flow command); the router answers the others for anyone.
    needs_onboarding: bool = False
    # A person's data rights: open to anyone who wrote to us, set up or not.
    data_right: bool = False
    # Shown in Telegram's command menu, in this table's order.
    in_menu: bool = False


def _opens(name: str, in_menu: bool = False) -> CommandSpec:
    return CommandSpec(name, flow=True, needs_onboarding=True, in_menu=in_menu)


def _right(name: str) -> CommandSpec:
    return CommandSpec(name, flow=True, data_right=True)


TABLE: tuple[CommandSpec, ...] = (
    CommandSpec("start"),
    CommandSpec("menu", in_menu=True),
    _opens("steps", in_menu=True),
    _opens("responsibility"),
    _opens("listen"),
    _opens("vision"),
    _opens("practices"),
    _opens("triggered"),
    _opens("underneath"),
    _opens("acknowledge"),
    _opens("commit"),
    _opens("commitments", in_menu=True),
    _opens("agreements", in_menu=True),
    _opens("progress"),
    _opens("weekly"),
    _opens("link"),
    _opens("partner"),
    _opens("reminders"),
    _opens("settings"),
    # Anyone may choose their language, before setting up too.
    CommandSpec("language", flow=True),
    CommandSpec("help", in_menu=True),
    CommandSpec("privacy"),
    CommandSpec("sos", in_menu=True),
    CommandSpec("grounding"),
    _opens("safetyplan"),
    CommandSpec("cancel", in_menu=True),
    _opens("unlink"),
    _right("export"),
    _right("delete"),
    _right("erase"),
)
BY_NAME = {spec.name: spec for spec in TABLE}

COMMANDS = tuple(spec.name for spec in TABLE)
# The few shown in Telegram's command menu; /menu and /help reach every one of COMMANDS.
MENU_COMMANDS = tuple(spec.name for spec in TABLE if spec.in_menu)
# Each of these opens the flow of the same name.
FLOW_COMMANDS = tuple(spec.name for spec in TABLE if spec.flow)
DATA_RIGHTS = tuple(spec.name for spec in TABLE if spec.data_right)
