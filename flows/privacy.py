"""A person's data rights: a copy of everything (/export), and taking it all back
(/delete, and /erase, the quick exit that also clears the chat).

Each asks once and then acts at once; the work is done by effects in
bot/features/data_rights.py. What a partner keeps when one of two deletes is written out
in docs/privacy.md and in the /privacy text. Nobody is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine import Context, Label, Option, State, flow


def _erased(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    count = len(data.get("_message_ids") or ())
    removed = (
        Label("rights.removed_some", {"count": count}) if count else Label("rights.removed_none")
    )
    return {"removed": removed}


EXPORT = flow(
    "export",
    "gather",
    State("gather", (), effect="export_data", on_result={"ok": "sent"}),
    State("sent", ("rights.export_caption",), document="_export", ends=True),
    description="/export: everything stored about you, as one JSON file in this chat.",
    parks=False,
)

DELETE = flow(
    "delete",
    "confirm",
    State(
        "confirm",
        ("rights.delete_confirm",),
        options=(
            Option("yes", "rights.delete_yes", goto="delete"),
            Option("no", "rights.delete_no", goto="kept"),
        ),
    ),
    State("delete", (), effect="forget_me", on_result={"ok": "deleted"}),
    State("deleted", ("rights.deleted",), ends=True),
    State("kept", ("rights.kept",), ends=True),
    description="/delete: one confirmation, then everything of yours is deleted; "
    "your partner keeps only the agreements you both accepted, and is not told.",
    parks=False,
)

ERASE = flow(
    "erase",
    "confirm",
    State(
        "confirm",
        ("rights.erase_confirm",),
        options=(
            Option("yes", "rights.erase_yes", goto="erase"),
            Option("no", "rights.erase_no", goto="kept"),
        ),
    ),
    State("erase", (), effect="erase_me", on_result={"ok": "erased"}),
    State("erased", ("rights.erased",), params=_erased, deletes="_message_ids", ends=True),
    State("kept", ("rights.kept",), ends=True),
    description="/erase, the quick exit: one confirmation, then everything is deleted and "
    "the chat's recent messages with it.",
    parks=False,
)
