"""SDL105: a Thread subclass kept by its owner; close() signals it, never joins (non-daemon)."""
import queue
import threading


class _Sender(threading.Thread):
    def __init__(self, client):
        super().__init__(name="sender")
        self.client = client
        self.running = True

    def run(self):
        while self.running:
            try:
                batch = self.client.pending.get(timeout=0.5)
            except queue.Empty:
                continue
            self.client.transport.send(batch)


class Client:
    def __init__(self, transport):
        self.transport = transport
        self.pending = queue.Queue()
        self._sender = _Sender(self)
        self._sender.start()

    def close(self):
        self._sender.running = False
        self.transport.close()
