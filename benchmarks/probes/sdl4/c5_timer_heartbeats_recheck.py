"""Correct counterpart of a5: the re-arm compares the generation again under the lock
and also honours a closed flag set there."""

import threading


class HeartbeatScheduler:
    def __init__(self, interval=10.0, send=print):
        self._interval = interval
        self._send = send
        self._lock = threading.Lock()
        self._generation = 0
        self._closed = False
        self._timers = {}

    def watch(self, peer):
        with self._lock:
            if self._closed:
                raise RuntimeError("scheduler stopped")
            timer = threading.Timer(self._interval, self._beat, args=(peer, self._generation))
            self._timers[peer] = timer
        timer.start()

    def _beat(self, peer, generation):
        self._send(peer)
        with self._lock:
            if self._closed or generation != self._generation:
                return
            timer = threading.Timer(self._interval, self._beat, args=(peer, generation))
            self._timers[peer] = timer
        timer.start()

    def stop(self):
        with self._lock:
            self._closed = True
            self._generation += 1
            timers, self._timers = self._timers, {}
        for timer in timers.values():
            timer.cancel()
