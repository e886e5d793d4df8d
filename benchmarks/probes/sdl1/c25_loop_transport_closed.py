"""loop.create_connection transport closed when the protocol's handshake fails."""

import asyncio


class HelloProtocol(asyncio.Protocol):
    def __init__(self):
        self.greeted = asyncio.get_running_loop().create_future()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"HELLO\r\n")

    def data_received(self, data):
        if not self.greeted.done():
            self.greeted.set_result(data)

    def connection_lost(self, exc):
        if not self.greeted.done():
            self.greeted.set_exception(exc or ConnectionResetError())


async def open_hello(host, port, timeout=5.0):
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_connection(HelloProtocol, host, port)
    try:
        banner = await asyncio.wait_for(protocol.greeted, timeout)
    except BaseException:
        transport.close()
        raise
    return transport, protocol, banner
