"""PTB's HTTP requests on aiohttp instead of httpx: the same calls, a fraction of the CPU.

Profiling the bot under load (bench/load.py) showed about a third of its CPU
in httpx, httpcore and anyio: connection-pool bookkeeping, cancellation
shields, and httpcore trying to import sniffio on every request. aiohttp,
already a dependency, parses HTTP in C. This is PTB's own extension point
(``BaseRequest``): timeouts and errors map to PTB's the way its HTTPXRequest
maps them, so the sender's handling (TimedOut and NetworkError retried,
BadRequest, Forbidden and RetryAfter read from the answer) is unchanged.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """Defaults as PTB's HTTPXRequest: 5 s to connect, write and read, 1 s for a free
    connection from the pool, 20 s to write an upload."""

    __slots__ = ("_connect", "_media_write", "_pool", "_pool_size", "_read", "_session", "_write")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                # PTB reads the status and the body itself: no raising, no cookies.
                cookie_jar=aiohttp.DummyCookieJar(),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = (
            request_data.multipart_data if request_data and request_data.contains_files else None
        )
        fields = request_data.json_parameters if request_data else None
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, upload=bool(files)
        )
        body: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            body = aiohttp.FormData(fields or {})
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
        upload: bool,
    ) -> aiohttp.ClientTimeout:
        read = self._read if isinstance(read, DefaultValue) else read
        write = (
            (self._media_write if upload else self._write)
            if isinstance(write, DefaultValue)
            else write
        )
        connect = self._connect if isinstance(connect, DefaultValue) else connect
        pool = self._pool if isinstance(pool, DefaultValue) else pool
        # aiohttp has no write timeout of its own: a request's whole life is bounded by the
        # sum, as with httpx's separate limits taken one after the other.
        parts = [value for value in (read, write, connect, pool) if value is not None]
        total = sum(parts) if len(parts) == 4 else None
        waiting_for_connection = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(
            total=total, connect=waiting_for_connection, sock_connect=connect, sock_read=read
        )
