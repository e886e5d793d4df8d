"""Fixed b11 (jupyter-client 8.8.0 style): the loop-side callback re-checks the transport."""
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
    def __init__(self):
        self._io = LoopThread()
        self._io.start()
        self._transport = None

    def send(self, data):
        if self._transport is None:
            raise RuntimeError("connection is closed")
        self._io.loop.call_soon_threadsafe(self._write, data)

    def _write(self, data):
        if self._transport is None:
            return
        self._transport.write(data)

    def close(self):
        if self._transport is not None:
            self._transport.close()
        self._transport = None
        self._io.loop.call_soon_threadsafe(self._io.loop.stop)
        self._io.join(timeout=5)
