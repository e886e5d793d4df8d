"""Copy-on-write listeners (opentelemetry-sdk SynchronousMultiSpanProcessor idiom):
writers rebuild a tuple under the lock, the worker thread iterates it unlocked."""
import threading


class ConnectivityWatcher:
    def __init__(self, channel):
        self._channel = channel
        self._lock = threading.Lock()
        self._callbacks = ()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="connectivity", daemon=True)
        self._thread.start()

    def subscribe(self, callback):
        with self._lock:
            self._callbacks = self._callbacks + (callback,)

    def unsubscribe(self, callback):
        with self._lock:
            self._callbacks = tuple(c for c in self._callbacks if c is not callback)

    def _poll(self):
        last = None
        while not self._stop.wait(0.2):
            state = self._channel.state()
            if state != last:
                last = state
                for callback in self._callbacks:
                    callback(state)

    def close(self):
        self._stop.set()
        self._thread.join(timeout=1)
