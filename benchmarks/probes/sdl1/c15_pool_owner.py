"""A connection pool that hands every reader thread to itself before doing anything risky.

Like kombu/pika's owner objects: the thread is appended to ``self._readers`` right
after start, so ``close()`` (which joins them all with a deadline) owns it even
when the subscription below raises.
"""

import threading


class Subscriber:
    def __init__(self, connect):
        self._connect = connect
        self._stop = threading.Event()
        self._readers = []

    def _read_loop(self, channel):
        while not self._stop.is_set():
            message = channel.poll(timeout=0.5)
            if message is not None:
                self.on_message(message)

    def on_message(self, message):
        pass

    def subscribe(self, topic):
        channel = self._connect(topic)
        reader = threading.Thread(target=self._read_loop, args=(channel,), daemon=True)
        reader.start()
        self._readers.append(reader)
        channel.confirm_subscription(topic)
        return channel

    def close(self):
        self._stop.set()
        for reader in self._readers:
            reader.join(timeout=2.0)
        self._readers.clear()
