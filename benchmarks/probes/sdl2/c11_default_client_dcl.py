"""Fixed b09: double-checked locking for the module's default client."""
import threading

default_client = None
_lock = threading.Lock()


class Client:
    def __init__(self):
        self._thread = threading.Thread(target=self._consume, daemon=True)
        self._thread.start()

    def _consume(self):
        pass

    def capture(self, *args):
        pass

    def shutdown(self):
        self._thread.join(timeout=5)


def _get_client():
    global default_client
    if default_client is None:
        with _lock:
            if default_client is None:
                default_client = Client()
    return default_client


def capture(*args):
    return _get_client().capture(*args)


def shutdown():
    global default_client
    with _lock:
        if default_client is not None:
            default_client.shutdown()
            default_client = None
