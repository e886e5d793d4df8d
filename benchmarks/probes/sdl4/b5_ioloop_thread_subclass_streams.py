"""A kernel-style client with a tornado IOLoop thread and ZMQ-like streams.

Source: jupyter-client < 8 (``ioloop.IOLoop.start()`` in ``IOLoopThread.run``) and
the 8.7 -> 8.8 fix "close streams before stopping ioloop thread" (#1089); here the
thread is stopped through a private helper and the channels sit in a dict.
BUG (SDL403): ``stop_channels()`` stops the IOLoop thread before closing the
channels, whose ``close()`` must run on that loop (``add_callback``); the closes
never run and the streams stay registered.
"""

import threading
from concurrent.futures import Future

from tornado import ioloop


class IOLoopThread(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.ioloop = ioloop.IOLoop(make_current=False)

    def run(self):
        self.ioloop.start()

    def stop(self):
        self.ioloop.add_callback(self.ioloop.stop)
        self.join(timeout=5.0)


class StreamChannel:
    def __init__(self, socket, io_loop):
        self.socket = socket
        self.ioloop = io_loop
        self.stream = None

    def close(self):
        done = Future()

        def _close():
            if self.stream is not None:
                self.stream.close()
                self.stream = None
            done.set_result(None)

        self.ioloop.add_callback(_close)
        done.result(timeout=5.0)


class KernelClient:
    def start_channels(self, sockets):
        self.ioloop_thread = IOLoopThread()
        self.ioloop_thread.start()
        self._channels = {
            name: StreamChannel(sock, self.ioloop_thread.ioloop) for name, sock in sockets.items()
        }

    def _stop_ioloop(self):
        if self.ioloop_thread.is_alive():
            self.ioloop_thread.stop()

    def stop_channels(self):
        self._stop_ioloop()
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()
