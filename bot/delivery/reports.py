"""What became of a share: the writer hears when it reached their partner, or that it waits.

Words a partner chose to send (an apology, a request, a thank-you, an answer)
travel as ordinary outbox calls that carry a *report*: who wrote them and what
they are (a content key, e.g. "share.what_apology"). The report lives in the
call's sealed parameters and is taken out before the call reaches Telegram.

* Delivered: in the same transaction that marks the call sent, the writer is
  told it has reached their partner.
* The partner blocked the bot (403): the call is held, never given up, and the
  writer is told it waits. When the partner comes back (unblocks, or writes to
  us again) held calls are pending again, and their delivery is reported as
  above. So the writer never reads "sent" for words still on their way.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.db.outbox import OutgoingCall
from bot.db.repositories import Repositories
from bot.telegram.render import renderer_for
from content import catalog
from flows.engine import Label, Say

log = logging.getLogger(__name__)

REPORT = "_kintsugi_report"  # a reserved parameter: never part of a Bot API call
DELIVERED, WAITING = "share.delivered", "share.waiting"


def with_report(params: Mapping[str, Any], writer_id: int, what: str) -> dict[str, Any]:
    """*params* of a call that, once delivered (or held), is reported to *writer_id*."""
    return {**params, REPORT: {"to": writer_id, "what": what}}


def report_of(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    report = payload.get(REPORT)
    return report if isinstance(report, Mapping) and isinstance(report.get("to"), int) else None


def api_params(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters Telegram gets: the report stays with us."""
    return {name: value for name, value in payload.items() if name != REPORT}


async def delivered(repos: Repositories, call: OutgoingCall, now: datetime) -> None:
    """A reported call reached its chat: its writer hears so."""
    await _tell_writer(repos, call, DELIVERED, now)


async def held(
    repos: Repositories, calls: list[OutgoingCall], error: str, now: datetime
) -> list[OutgoingCall]:
    """Of a blocked chat's waiting calls, holds the reported ones (and tells each writer);
    returns the rest, which may be given up."""
    kept = [call for call in calls if report_of(call.payload) is not None]
    await repos.outbox.hold([call.id for call in kept], error)
    for call in kept:
        await _tell_writer(repos, call, WAITING, now)
    return [call for call in calls if report_of(call.payload) is None]


async def _tell_writer(repos: Repositories, call: OutgoingCall, key: str, now: datetime) -> None:
    report = report_of(call.payload)
    if report is None:
        return
    writer = await repos.users.get(report["to"])
    reader = await repos.users.get(call.chat_id)
    if writer is None or writer.forgotten or not writer.is_active:
        return
    words = catalog(writer.locale)
    who = reader.name if reader and reader.name else words.plain("link.someone")
    # A name we no longer have (an older release's) must not stop the call being marked sent.
    what = str(report.get("what") or "")
    say = Say((key,), {"who": who, "what": Label(what if words.has(what) else "share.what_it")})
    for told in renderer_for(writer).render(say, writer.chat_id):
        await repos.outbox.add(writer.chat_id, told.method, told.params, now)
    log.info("share %s for chat %s reported: %s", call.id, call.chat_id, key)
