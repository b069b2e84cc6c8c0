"""Webhook mode end to end: the emulator pushes updates with the secret header."""

from __future__ import annotations

import aiohttp

from bot.runtime import Runtime
from bot.webhook import SECRET_HEADER, WebhookServer
from tests.e2e.harness import answer, say

SECRET = "s3cret-for-tests-only_0123456789"


async def test_webhook_serves_onboarding_and_refuses_a_wrong_secret(settings, emu):
    runtime = Runtime(settings)
    await runtime.start()
    server = WebhookServer(runtime, SECRET)
    await server.start("127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.port}/telegram/webhook"
    try:
        await server.register(url)
        sam = await emu.create_user("Sam")
        await say(sam, "/start", "onboarding.welcome")
        await answer(sam, "onboarding.begin", "onboarding.consent")
        info = (await emu.state())["webhook"]
        assert info["url"] == url

        forged = {"update_id": 77, "message": {
            "message_id": 1, "date": 0, "text": "/sos",
            "from": {"id": sam.id, "is_bot": False, "first_name": "Sam"},
            "chat": {"id": sam.id, "type": "private"}}}
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]}):
                async with http.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403
            async with http.post(url, data=b"not json", headers={SECRET_HEADER: SECRET}) as bad:
                assert bad.status == 400
            async with http.get(f"http://127.0.0.1:{server.port}/healthz") as health:
                assert health.status == 200 and (await health.json())["ok"] is True
        async with runtime.db.transaction() as repos:
            assert await repos.inbox.next_for(sam.id) is None
            assert (await repos.inbox.highest_update_id()) != 77
    finally:
        await server.stop()
        await runtime.stop()
