"""A thread-safe facade over an asyncio transport running on a private loop thread.

The jupyter-client 8.x `ThreadedZMQSocketChannel` shape (flush() checks the stream
and schedules `_flush` on the IOLoop thread; `stop_channels()` closes it in
between; 8.8.0 made the callback re-check): here `send()` checks the transport on
the caller's thread, then schedules the write on the loop thread, which uses it
without checking again, while `close()` clears it.
"""
import asyncio
import threading


class LoopThread(threading.Thread):
    def __init__(self):
        super().__init__(name="io-loop", daemon=True)
        self.loop = asyncio.new_event_loop()

    def run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()


class Connection:
    def __init__(self, host, port):
        self._host = host
        self._port = port
        self._io = LoopThread()
        self._io.start()
        self._transport = None
        self._protocol = None

    def open(self):
        fut = asyncio.run_coroutine_threadsafe(self._open(), self._io.loop)
        fut.result(timeout=10)

    async def _open(self):
        loop = asyncio.get_running_loop()
        self._transport, self._protocol = await loop.create_connection(
            asyncio.Protocol, self._host, self._port
        )

    def send(self, data):
        if self._transport is None:
            raise RuntimeError("connection is closed")
        self._io.loop.call_soon_threadsafe(self._write, data)

    def _write(self, data):
        # BUG: no re-check; close() may have cleared the transport meanwhile.
        self._transport.write(data)

    def close(self):
        if self._transport is not None:
            self._transport.close()
        self._transport = None
        self._io.loop.call_soon_threadsafe(self._io.loop.stop)
        self._io.join(timeout=5)
