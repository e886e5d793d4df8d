"""Per-peer heartbeat timers that re-arm themselves.

Source: modeled on the heartbeat/keepalive timers of pika's ``HeartbeatChecker`` and
kazoo/python-socketio ping loops, which re-arm a ``threading.Timer`` from its own
callback; the stop marker here is a generation counter, pymongo-style.
BUG (SDL401): ``_beat`` (a Timer thread) compares the generation before taking the
lock and re-arms under it without comparing again; ``stop()`` can bump the
generation and cancel the timers in between, and the re-armed timer keeps firing.
"""

import threading
import time


class HeartbeatScheduler:
    def __init__(self, interval=10.0, send=print):
        self._interval = interval
        self._send = send
        self._lock = threading.Lock()
        self._generation = 0
        self._timers = {}

    def watch(self, peer):
        with self._lock:
            generation = self._generation
            timer = threading.Timer(self._interval, self._beat, args=(peer, generation))
            timer.daemon = True
            self._timers[peer] = timer
        timer.start()

    def _beat(self, peer, generation):
        if generation != self._generation:
            return
        try:
            self._send(peer, time.monotonic())
        finally:
            timer = threading.Timer(self._interval, self._beat, args=(peer, generation))
            timer.daemon = True
            with self._lock:
                self._timers[peer] = timer
            timer.start()

    def unwatch(self, peer):
        with self._lock:
            timer = self._timers.pop(peer, None)
        if timer is not None:
            timer.cancel()

    def stop(self):
        with self._lock:
            self._generation += 1
            timers, self._timers = self._timers, {}
        for timer in timers.values():
            timer.cancel()
