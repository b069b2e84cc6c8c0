"""One contract for the repositories, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.db.database import Database
from bot.db.engine import migrate
from bot.db.models import DEAD, SENT
from bot.settings import async_database_url

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


async def test_migrations_reach_head_and_are_idempotent(db: Database):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.db.engine import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    await migrate(db.engine)
    async with db.engine.connect() as connection:
        version = await connection.execute(text("SELECT version_num FROM alembic_version"))
        assert version.scalar_one() == head == "0010"


async def test_user_is_created_locked_and_saved_with_sealed_words(db: Database):
    async with db.transaction() as repos:
        user = await repos.users.lock(7, 7, "en", T0)
        assert user.profile == {} and user.session is None and user.is_active
        user.profile = {"hopes": "to trust again"}
        user.session = {"flow": "onboarding", "state": "role", "seq": 2, "data": {}}
        user.time_zone = "Europe/Berlin"
        await repos.users.save(user, T0)
    async with db.transaction() as repos:
        again = await repos.users.lock(7, 7, "de", T0)
        assert again.profile == {"hopes": "to trust again"}
        assert again.session["state"] == "role"
        assert again.time_zone == "Europe/Berlin" and again.locale == "en"
    async with db.engine.connect() as connection:
        raw = (await connection.execute(text("SELECT profile_sealed FROM users"))).scalar_one()
        assert "trust" not in raw  # encrypted at rest


async def test_inbox_ignores_redelivery_and_yields_in_order(db: Database):
    async with db.transaction() as repos:
        await repos.inbox.add([(12, 1, {"n": 12}), (10, 1, {"n": 10}), (11, 2, {"n": 11})], T0)
        await repos.inbox.add([(10, 1, {"n": "duplicate"})], T0)
    async with db.transaction() as repos:
        first = await repos.inbox.next_for(1)
        assert (first.update_id, first.payload) == (10, {"n": 10})
        await repos.inbox.mark_handled(10, T0)
        assert (await repos.inbox.next_for(1)).update_id == 12
        assert await repos.inbox.users_with_pending() == [2, 1]
    async with db.transaction() as repos:
        await repos.inbox.add([(10, 1, {"n": "late redelivery"})], T0)
        assert (await repos.inbox.next_for(1)).update_id == 12
        assert await repos.inbox.highest_update_id() == 12


async def test_inbox_forgets_old_handled_rows_only(db: Database):
    async with db.transaction() as repos:
        await repos.inbox.add([(1, 1, {}), (2, 1, {})], T0)
        await repos.inbox.mark_handled(1, T0)
    async with db.transaction() as repos:
        assert await repos.inbox.forget_handled(T0 + timedelta(days=3)) == 1
        assert (await repos.inbox.next_for(1)).update_id == 2


async def test_outbox_claims_one_per_chat_in_order(db: Database):
    async with db.transaction() as repos:
        for chat, n in [(1, "a"), (1, "b"), (2, "c")]:
            await repos.outbox.add(chat, "sendMessage", {"text": n}, T0)
    async with db.transaction() as repos:
        claimed = await repos.outbox.claim(T0, timedelta(seconds=30), 10)
        assert [c.payload["text"] for c in claimed] == ["a", "c"]
    async with db.transaction() as repos:
        assert await repos.outbox.claim(T0, timedelta(seconds=30), 10) == []  # leased
        await repos.outbox.mark_sent(claimed[0].id, T0)
        await repos.outbox.retry_later(claimed[1].id, T0 + timedelta(seconds=5), "502")
    async with db.transaction() as repos:
        now = [c.payload["text"] for c in await repos.outbox.claim(T0, timedelta(0), 10)]
        assert now == ["b"]
        later = await repos.outbox.claim(T0 + timedelta(seconds=6), timedelta(0), 10)
        assert [c.payload["text"] for c in later] == ["b", "c"]
        assert later[1].attempts == 1
        assert await repos.outbox.count(SENT) == 1


async def test_outbox_closes_a_blocked_chat(db: Database):
    async with db.transaction() as repos:
        for n in "xyz":
            await repos.outbox.add(5, "sendMessage", {"text": n}, T0)
        await repos.outbox.give_up_chat(5, "Forbidden: bot was blocked by the user")
        assert await repos.outbox.count(DEAD) == 3
        assert await repos.outbox.claim(T0, timedelta(0), 10) == []


async def test_concurrent_claims_never_share_a_call(db: Database):
    async with db.transaction() as repos:
        for chat in range(40):
            await repos.outbox.add(chat, "sendMessage", {"text": str(chat)}, T0)

    async def claim():
        async with db.transaction() as repos:
            return [c.id for c in await repos.outbox.claim(T0, timedelta(seconds=60), 15)]

    results = await asyncio.gather(*(claim() for _ in range(4)))
    ids = [i for batch in results for i in batch]
    assert len(ids) == len(set(ids)) == 40


async def test_key_rotation_reseals_everything_with_the_new_key(database_url, vault_key):
    from cryptography.fernet import Fernet

    from bot.crypto import Vault
    from bot.db.rekey import rotate_keys

    old = Vault([vault_key])
    db = await Database.open(database_url, old)
    async with db.transaction() as repos:
        user = await repos.users.lock(3, 3, "en", T0)
        user.profile = {"hopes": "honesty"}
        await repos.users.save(user, T0)
        await repos.inbox.add([(1, 3, {"text": "hi"})], T0)
        await repos.outbox.add(3, "sendMessage", {"text": "hello"}, T0)
        await repos.commitments.add(3, "I text when late", "0123456", T0)
        await repos.reflections.add(3, "step1_broke", {"impact": "fear"}, T0)
        exercise = await repos.listening.start(7, 3, 4, T0)
        await repos.listening.add_turn(exercise, 3, "share", 1, "it hurt", T0)
    await db.close()

    new_key = Fernet.generate_key().decode()
    rotating = await Database.open(database_url, Vault([new_key, vault_key]))
    assert await rotate_keys(rotating) == 6
    await rotating.close()

    only_new = await Database.open(database_url, Vault([new_key]))
    async with only_new.transaction() as repos:
        assert (await repos.users.get(3)).profile == {"hopes": "honesty"}
        assert (await repos.inbox.next_for(3)).payload == {"text": "hi"}
        assert (await repos.outbox.claim(T0, timedelta(0), 5))[0].payload == {"text": "hello"}
        assert (await repos.reflections.latest(3, "step1_broke")).answers == {"impact": "fear"}
        assert [t.text for t in await repos.listening.turns(exercise)] == ["it hurt"]
    await only_new.close()


@pytest.mark.postgres
async def test_key_rotation_leaves_alone_what_a_running_worker_wrote_meanwhile(vault_key):
    # PostgreSQL only: there, workers write while a rotation's batch is open (SQLite's
    # single writer waits for the batch). The worker's write lands between the batch's
    # read and its rewrite, from a thread of its own, as another process's would.
    import threading

    from cryptography.fernet import Fernet

    from bot.crypto import Vault
    from bot.db.rekey import rotate_keys
    from tests.conftest import _drop_postgres_database, _fresh_postgres_database

    url, name = await _fresh_postgres_database()
    new_key = Fernet.generate_key().decode()
    try:
        db = await Database.open(async_database_url(url), Vault([vault_key]))
        async with db.transaction() as repos:
            user = await repos.users.lock(3, 3, "en", T0)
            user.profile = {"hopes": "honesty"}
            await repos.users.save(user, T0)
        await db.close()

        def worker_writes() -> None:
            async def write() -> None:
                worker = await Database.open(async_database_url(url), Vault([new_key, vault_key]))
                async with worker.transaction() as repos:
                    user = await repos.users.lock(3, 3, "en", T0)
                    user.profile = {"hopes": "patience"}
                    await repos.users.save(user, T0)
                await worker.close()

            asyncio.run(write())

        class WorkerWritesMidBatch(Vault):
            def rotate(self, token: str) -> str:
                thread = threading.Thread(target=worker_writes)
                thread.start()
                thread.join()
                return super().rotate(token)

        rotating = await Database.open(
            async_database_url(url), WorkerWritesMidBatch([new_key, vault_key])
        )
        await rotate_keys(rotating)
        await rotating.close()

        only_new = await Database.open(async_database_url(url), Vault([new_key]))
        async with only_new.transaction() as repos:
            assert (await repos.users.get(3)).profile == {"hopes": "patience"}
        await only_new.close()
    finally:
        await _drop_postgres_database(name)
