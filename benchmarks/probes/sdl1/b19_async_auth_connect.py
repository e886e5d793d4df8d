"""Open an authenticated asyncio connection to a broker.

Shape of aio-pika/aioredis/asyncpg-style connection factories: the stream pair
from ``asyncio.open_connection`` is only handed to the Connection object after
the authentication exchange; a wrong password raises ``AuthError`` and the
transport stays open until the garbage collector notices (ResourceWarning).
"""

import asyncio


class AuthError(Exception):
    pass


class Connection:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer

    async def close(self):
        self.writer.close()
        await self.writer.wait_closed()


async def _authenticate(reader, writer, user, password):
    writer.write(("AUTH %s %s\r\n" % (user, password)).encode())
    await writer.drain()
    reply = await reader.readline()
    if not reply.startswith(b"+OK"):
        raise AuthError(reply.decode(errors="replace").strip())


async def connect(host, port, user, password, timeout=10.0):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    await _authenticate(reader, writer, user, password)
    return Connection(reader, writer)
