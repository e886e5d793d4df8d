"""A blocking AMQP-ish connection: a reader thread parses frames off the socket into a
queue, a dispatcher thread runs the consumer callbacks.

Source: modeled on pika's ``BlockingConnection`` / amqpstorm's ``IO`` + ``Channel``
split and rabbitpy's IO thread; the threads are ``Thread`` subclasses built with the
queue passed by keyword.
BUG (SDL403): ``close()`` stops the dispatcher before the reader; frames the reader
parses meanwhile are put into a queue nobody drains, ``put`` blocks once it is full
and the reader's ``join`` in ``close()`` times out, leaving the socket half-read.
"""

import queue
import threading


class FrameReader(threading.Thread):
    def __init__(self, sock, frames):
        super().__init__(name="amqp-reader", daemon=True)
        self.sock = sock
        self.frames = frames
        self._running = True

    def run(self):
        while self._running:
            data = self.sock.recv(65536)
            if not data:
                break
            self.frames.put(data, timeout=30.0)

    def stop(self):
        self._running = False
        self.join(timeout=5.0)


class Dispatcher(threading.Thread):
    def __init__(self, frames, on_frame):
        super().__init__(name="amqp-dispatch", daemon=True)
        self.frames = frames
        self.on_frame = on_frame

    def run(self):
        while True:
            frame = self.frames.get()
            if frame is None:
                return
            self.on_frame(frame)

    def stop(self):
        self.frames.put(None, timeout=5.0)
        self.join(timeout=5.0)


class BlockingConnection:
    def __init__(self, sock, on_frame):
        self._sock = sock
        self._frames = queue.Queue(maxsize=1024)
        self._reader = FrameReader(sock=sock, frames=self._frames)
        self._dispatcher = Dispatcher(frames=self._frames, on_frame=on_frame)

    def open(self):
        self._reader.start()
        self._dispatcher.start()

    def close(self):
        self._dispatcher.stop()
        self._reader.stop()
        self._sock.close()
