"""Forgetting a person and finding their messages, on SQLite and PostgreSQL alike.

The scan of every table is generic (SQLModel's metadata): a table added later
is checked too, without this test knowing about it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import BigInteger, Integer, select, text
from sqlmodel import SQLModel

from bot.db import ledger as L
from bot.db.database import Database
from bot.db.privacy import GONE
from bot.db.repositories import Repositories

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LEAVER, STAYER = 5_001, 5_002


async def rows_naming(db: Database, user_id: int) -> dict[str, int]:
    """How many rows of each table hold *user_id* in any integer column."""
    found = {}
    async with db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, Integer | BigInteger)]
            for column in columns:
                count = len(
                    (await connection.execute(select(table).where(column == user_id))).all()
                )
                if count:
                    found[f"{table.name}.{column.name}"] = count
    return found


async def linked_pair(repos: Repositories) -> int:
    for user in (LEAVER, STAYER):
        record = await repos.users.lock(user, user, "en", T0)
        record.profile, record.name = {"hopes": f"hopes of {user}"}, f"Name {user}"
        await repos.users.save(record, T0)
    await repos.couples.link(LEAVER, STAYER, T0)
    return (await repos.couples.active_for(LEAVER)).id


async def ledger(repos: Repositories, couple: int) -> dict[str, int]:
    add, version = repos.ledger.add, repos.ledger.add_version
    agreed = await add(LEAVER, couple, "boundary", L.ACTIVE, T0)
    await version(agreed, "Old words both took", "", LEAVER, STAYER, L.SUPERSEDED, T0, None)
    await version(agreed, "Words both accepted", "why", LEAVER, STAYER, L.ACCEPTED, T0, None)
    await version(agreed, "A revision never accepted", "", LEAVER, STAYER, L.PENDING, T0, None)
    unanswered = await add(LEAVER, couple, "ritual", L.PROPOSED, T0)
    await version(unanswered, "Leaver's open proposal", "", LEAVER, STAYER, L.PENDING, T0, None)
    personal = await add(LEAVER, None, "agreement", L.PERSONAL, T0)
    await version(personal, "Leaver's own intention", "", LEAVER, None, L.ACCEPTED, T0, None)
    theirs = await add(STAYER, couple, "agreement", L.PROPOSED, T0)
    waiting = await version(
        theirs, "Stayer asks the leaver", "", STAYER, LEAVER, L.PENDING, T0, None
    )
    return {
        "agreed": agreed,
        "unanswered": unanswered,
        "personal": personal,
        "theirs": theirs,
        "waiting": waiting,
    }


async def everything_else(repos: Repositories, couple: int) -> None:
    for user in (LEAVER, STAYER):
        commitment = await repos.commitments.add(user, f"commitment of {user}", "0123456", T0)
        checkin = await repos.commitments.ask(commitment, user, date(2026, 5, 1), T0)
        await repos.commitments.add_note(checkin, f"note of {user}")
        await repos.commitments.save_week(user, date(2026, 4, 27), {"safe": 3}, T0)
        await repos.reflections.add(user, "vision", {"want": f"vision of {user}"}, T0, couple)
        await repos.nudges.put(user, "empathy", T0)
        await repos.nudges.record_sent(user, "empathy", "2026-05-01", T0)
        await repos.couples.note_wrong_code(user, T0)
    await repos.couples.add_invite(LEAVER, "t" * 64, "c" * 64, T0, T0 + timedelta(days=3))
    await repos.couples.add_invite(STAYER, "u" * 64, "d" * 64, T0, T0 + timedelta(days=3))
    await repos.couples.close_invite((await repos.couples.find_invite("u" * 64)).id, T0, LEAVER)
    exercise = await repos.listening.start(couple, LEAVER, STAYER, T0)
    await repos.listening.add_turn(exercise, LEAVER, "share", 1, "leaver shares", T0)
    await repos.listening.add_turn(exercise, STAYER, "reflection", 1, "stayer reflects", T0)
    await repos.inbox.add(
        [
            (1, LEAVER, {"message": {"message_id": 11}}),
            (2, LEAVER, {"message": {"message_id": 12}}),
            (3, LEAVER, {"callback_query": {"id": "q"}}),
            (4, LEAVER, {"message": {"message_id": 14}}),
            (5, STAYER, {"message": {"message_id": 15}}),
        ],
        T0,
    )
    for handled in (1, 2):
        await repos.inbox.mark_handled(handled, T0)
    for chat in (LEAVER, LEAVER, STAYER):
        await repos.outbox.add(chat, "sendMessage", {"text": f"to {chat}"}, T0)


async def test_forgetting_leaves_no_row_naming_them_and_the_partner_keeps_what_both_accepted(
    db: Database,
):
    async with db.transaction() as repos:
        couple = await linked_pair(repos)
        ids = await ledger(repos, couple)
        await everything_else(repos, couple)
    assert len(await rows_naming(db, LEAVER)) > 15  # the scan sees them before

    async with db.transaction() as repos:
        await repos.privacy.forget(LEAVER, LEAVER, T0)

    # Update 4 was sent after the one being handled (3): a new life, still theirs.
    assert await rows_naming(db, LEAVER) == {"inbox.user_id": 1}
    async with db.transaction() as repos:
        assert (await repos.inbox.next_for(LEAVER)).update_id == 4
        assert await repos.inbox.next_for(STAYER) is not None
        couples = await repos.couples.all_for(STAYER)
        assert [(c.partner_of(STAYER), c.unlinked_at) for c in couples] == [(GONE, T0)]
        kept = await repos.ledger.visible_to(STAYER, [couple])
        assert sorted((v.text, v.state, v.proposed_by, v.awaiting_id) for v in kept) == [
            ("Stayer asks the leaver", L.EXPIRED, STAYER, None),
            ("Words both accepted", L.ACCEPTED, GONE, STAYER),
        ]
        assert await repos.ledger.agreement(ids["unanswered"]) is None
        assert await repos.ledger.agreement(ids["personal"]) is None
        assert [c.text for c in await repos.commitments.of_user(STAYER)] == [
            f"commitment of {STAYER}"
        ]
        assert len(await repos.reflections.of_user(STAYER)) == 1
        exercise = (await repos.listening.of_user(STAYER))[0]
        assert (exercise.speaker_id, exercise.status) == (GONE, "ended")
        assert [t.text for t in await repos.listening.turns(exercise.id)] == ["stayer reflects"]
        assert await repos.users.get(LEAVER) is None
        assert (await repos.users.get(STAYER)).profile == {"hopes": f"hopes of {STAYER}"}
    async with db.engine.connect() as connection:
        inbox = (
            await connection.execute(
                text(
                    "SELECT update_id, payload_sealed IS NULL, message_id FROM inbox "
                    "WHERE user_id IS NULL ORDER BY update_id"
                )
            )
        ).all()
        assert [tuple(row) for row in inbox] == [(1, True, None), (2, True, None), (3, True, None)]
        chats = (await connection.execute(text("SELECT chat_id FROM outbox"))).scalars().all()
        assert chats == [STAYER]


async def test_the_last_one_of_a_couple_to_leave_takes_the_couple_with_them(db: Database):
    async with db.transaction() as repos:
        couple = await linked_pair(repos)
        await ledger(repos, couple)
        await everything_else(repos, couple)
        await repos.privacy.forget(LEAVER, LEAVER, T0)
        await repos.privacy.forget(STAYER, STAYER, T0)
    assert await rows_naming(db, STAYER) == {}
    async with db.engine.connect() as connection:
        for table in (
            "couples",
            "agreements",
            "agreement_versions",
            "listening_exercises",
            "listening_turns",
            "reflections",
            "users",
            "outbox",
        ):
            count = (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar()
            assert count == 0, table


async def test_recent_message_ids_are_the_bots_sent_ones_and_theirs_within_the_window(db: Database):
    async with db.transaction() as repos:
        await repos.inbox.add(
            [
                (1, LEAVER, {"message": {"message_id": 3}}),
                (2, LEAVER, {"callback_query": {"id": "q"}}),
                (3, STAYER, {"message": {"message_id": 4}}),
            ],
            T0,
        )
        await repos.inbox.add(
            [(4, LEAVER, {"message": {"message_id": 1}})], T0 - timedelta(hours=49)
        )
        for chat in (LEAVER, LEAVER, LEAVER, STAYER):
            await repos.outbox.add(chat, "sendMessage", {"text": "words"}, T0)
    async with db.transaction() as repos:
        calls = await repos.outbox.claim(T0, timedelta(seconds=30), 10)
        first = next(c for c in calls if c.chat_id == LEAVER)
        other = next(c for c in calls if c.chat_id == STAYER)
        await repos.outbox.mark_sent(first.id, T0, message_id=5)
        await repos.outbox.mark_sent(other.id, T0, message_id=6)
    async with db.transaction() as repos:
        second = (await repos.outbox.claim(T0, timedelta(seconds=30), 10))[0]
        await repos.outbox.mark_sent(second.id, T0 - timedelta(hours=49), message_id=2)
        found = await repos.privacy.recent_message_ids(LEAVER, LEAVER, T0 - timedelta(hours=47))
    assert found == [3, 5]
    async with db.engine.connect() as connection:
        sealed = await connection.execute(
            text("SELECT count(*) FROM outbox WHERE status = 'sent' AND payload_sealed IS NOT NULL")
        )
        assert sealed.scalar() == 0  # words leave once Telegram has them


async def test_settled_calls_are_forgotten_after_the_window_dead_ones_too(db: Database):
    async with db.transaction() as repos:
        for chat in (1, 2):
            await repos.outbox.add(chat, "sendMessage", {"text": "x"}, T0)
    async with db.transaction() as repos:
        one, two = await repos.outbox.claim(T0, timedelta(seconds=30), 10)
        await repos.outbox.mark_sent(one.id, T0, message_id=9)
        await repos.outbox.give_up(two.id, "Bad Request")
    async with db.transaction() as repos:
        assert await repos.outbox.forget_sent(T0) == 0
        assert await repos.outbox.forget_sent(T0 + timedelta(days=2)) == 2
