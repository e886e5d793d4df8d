"""An MQTT-like client whose network thread dispatches per-topic callbacks.

Modelled on paho-mqtt's `message_callback_add()` / `_handle_on_message`: user
threads add and remove topic callbacks under `_callback_mutex` (an RLock) while
the `loop_start()` network thread iterates the filter dict; paho reported
"dictionary changed size during iteration" there and now iterates under
`_callback_mutex`.
"""
import threading


def topic_matches_sub(sub, topic):
    if sub == topic or sub == "#":
        return True
    return sub.endswith("/#") and topic.startswith(sub[:-1])


class Client:
    def __init__(self, transport):
        self._transport = transport
        self._callback_mutex = threading.RLock()
        self._on_message_filtered = {}
        self._on_message = None
        self._thread = None
        self._thread_terminate = False

    def message_callback_add(self, sub, callback):
        with self._callback_mutex:
            self._on_message_filtered[sub] = callback

    def message_callback_remove(self, sub):
        with self._callback_mutex:
            self._on_message_filtered.pop(sub, None)

    def loop_start(self):
        self._thread_terminate = False
        self._thread = threading.Thread(target=self._thread_main, name="mqtt-net")
        self._thread.daemon = True
        self._thread.start()

    def loop_stop(self):
        self._thread_terminate = True
        if self._thread is not None and threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def _thread_main(self):
        while not self._thread_terminate:
            packet = self._transport.read_packet(timeout=1.0)
            if packet is not None:
                self._handle_on_message(packet)

    def _handle_on_message(self, message):
        matched = False
        # BUG: iterates the filters without _callback_mutex.
        for sub, callback in self._on_message_filtered.items():
            if topic_matches_sub(sub, message.topic):
                matched = True
                callback(self, None, message)
        if not matched and self._on_message is not None:
            self._on_message(self, None, message)
