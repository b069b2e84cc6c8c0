"""The PTB baseline of bench/persistence.py measures what it claims: the pickle file it
writes is one PicklePersistence loads, the bot resumes a stored user where they were,
and every changed user costs whole-file rewrites."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from telegram import Update
from telegram.ext import Application, PicklePersistence

from bench.ptb_conversation_bot import (
    CONVERSATION,
    FEELING,
    NEED,
    build_application,
    state_of,
    text_update,
    user_data_for,
    write_pickle,
)
from playground.emulator import Emulator

FIRST = 5_000


@asynccontextmanager
async def running_bot(path: Path, users: Sequence[int]) -> AsyncIterator[Application]:
    """The PTB bot on *path*, started against an emulator that knows *users*."""
    emulator = Emulator()
    await emulator.start()
    try:
        for uid in users:
            emulator.world.add_user(f"Stored {uid}", user_id=uid)
        application = build_application(emulator.url, path)
        await application.initialize()
        await application.start()
        try:
            yield application
        finally:
            await application.stop()
            await application.shutdown()
    finally:
        await emulator.stop()


async def answer(application: Application, update_id: int, user_id: int, text: str) -> None:
    update = Update.de_json(text_update(update_id, user_id, text), application.bot)
    await application.process_update(update)


async def test_the_written_pickle_loads_in_ptb_with_every_state_and_user(tmp_path):
    path = tmp_path / "bot.pickle"
    write_pickle(path, FIRST, 40)

    persistence = PicklePersistence(filepath=path)
    conversations = await persistence.get_conversations(CONVERSATION)
    user_data = await persistence.get_user_data()

    assert conversations == {(uid, uid): state_of(uid) for uid in range(FIRST, FIRST + 40)}
    assert len(set(conversations.values())) == 4
    assert user_data[FIRST + 7] == user_data_for(FIRST + 7)
    assert set(await persistence.get_chat_data()) == set(user_data)


async def test_a_stored_user_goes_on_from_their_state_and_the_whole_file_is_rewritten(tmp_path):
    path = tmp_path / "bot.pickle"
    write_pickle(path, FIRST, 8)
    user = next(uid for uid in range(FIRST, FIRST + 8) if state_of(uid) == FEELING)
    async with running_bot(path, [user]) as application:
        await answer(application, 1, user, "it hurt")
        await application.update_persistence()
        writes = application.persistence.whole_file_writes

    reloaded = PicklePersistence(filepath=path)
    assert (await reloaded.get_conversations(CONVERSATION))[(user, user)] == NEED
    assert (await reloaded.get_user_data())[user]["answers"]["how_it_felt"] == "it hurt"
    assert writes == 2  # the user's data and the conversation state, each the whole file


async def test_each_changed_user_rewrites_the_whole_file_again(tmp_path):
    """What the benchmark's text says of several users changed within one interval."""
    path = tmp_path / "bot.pickle"
    write_pickle(path, FIRST, 8)
    answering = [uid for uid in range(FIRST, FIRST + 8) if state_of(uid) in (FEELING, NEED)]
    async with running_bot(path, answering) as application:
        for n, uid in enumerate(answering):
            await answer(application, n + 1, uid, "an answer")
        await application.update_persistence()
        writes = application.persistence.whole_file_writes

    assert len(answering) == 4
    assert writes == 2 * len(answering)
