"""Authenticated asyncio connect that closes the transport when authentication fails."""

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
    try:
        await _authenticate(reader, writer, user, password)
    except BaseException:
        writer.close()
        raise
    return Connection(reader, writer)
