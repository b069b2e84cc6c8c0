"""A round-robin load balancer on loopback: one address in front of several webhook workers.

What nginx's ``proxy_pass`` to an upstream of N servers does, as far as the
bot can tell: each request goes to the next backend in turn with its path,
headers and body, and the backend's answer comes back as it is. A backend
that refuses the connection, dies mid-request or does not answer in time
gets the client a 502, and the client (the emulator, like Telegram) retries.
``served`` counts the requests each backend answered, so a test can see the
load was really spread.
"""

from __future__ import annotations

import itertools
from collections import Counter

import aiohttp
from aiohttp import web

# Headers that belong to one hop, not to the request (RFC 9110, 7.6.1).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
        "host",
        "content-length",
    }
)
BACKEND_TIMEOUT = 30.0


class RoundRobinBalancer:
    def __init__(self, backends: list[str]) -> None:
        self.backends = [backend.rstrip("/") for backend in backends]
        self._next = itertools.cycle(range(len(self.backends)))
        self.served: Counter[str] = Counter()
        self.bad_gateways = 0
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=BACKEND_TIMEOUT), trust_env=False
        )
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        backend = self.backends[next(self._next)]
        headers = {
            name: value for name, value in request.headers.items() if name.lower() not in HOP_BY_HOP
        }
        body = await request.read()
        try:
            async with self._session.request(
                request.method, backend + request.path_qs, headers=headers, data=body
            ) as answer:
                payload = await answer.read()
                self.served[backend] += 1
                return web.Response(
                    status=answer.status, body=payload, content_type=answer.content_type
                )
        except (aiohttp.ClientError, TimeoutError, OSError):
            self.bad_gateways += 1
            return web.Response(status=502, text="bad gateway")
