"""Module-level convenience API over a lazily created default client.

Modelled on posthog-python's `posthog/__init__.py` (`_proxy`: `global
default_client; if not default_client: default_client = Client(...)`) and the
similar opentelemetry-api global provider before it gained `Once`: two threads
calling `capture()` at start-up both create a client, each with its own consumer
thread; one client is dropped and its queued events are lost.
"""
import queue
import threading

api_key = None
host = "https://app.example.com"
default_client = None
_lock = threading.Lock()


class Client:
    def __init__(self, api_key, host):
        self.api_key = api_key
        self.host = host
        self.queue = queue.Queue(10000)
        self.consumer = threading.Thread(target=self._consume, daemon=True)
        self.consumer.start()

    def _consume(self):
        while True:
            item = self.queue.get()
            if item is None:
                return
            self._post(item)

    def _post(self, item):
        pass

    def capture(self, distinct_id, event, properties=None):
        self.queue.put_nowait({"id": distinct_id, "event": event, "properties": properties})

    def shutdown(self):
        self.queue.put(None)
        self.consumer.join(timeout=5)


def _proxy(method, *args, **kwargs):
    global default_client
    # BUG: check-then-create without _lock.
    if default_client is None:
        default_client = Client(api_key, host)
    return getattr(default_client, method)(*args, **kwargs)


def capture(distinct_id, event, properties=None):
    return _proxy("capture", distinct_id, event, properties)


def shutdown():
    global default_client
    with _lock:
        if default_client is not None:
            default_client.shutdown()
            default_client = None
