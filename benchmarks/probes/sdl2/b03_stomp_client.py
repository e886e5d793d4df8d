"""A small STOMP-over-TCP client with a receiver thread that calls user callbacks.

Modelled on paho-mqtt's `Client._mid_generate` (ChangeLog 1.4.0: "Fix mid
generation that was not thread-safe"): `send()` is called both by application
threads and from `on_message` callbacks on the receiver thread, and the frame
id counter is bumped without a lock, so two frames can carry the same receipt id.
"""
import socket
import threading


class StompClient:
    def __init__(self, host, port=61613):
        self._host = host
        self._port = port
        self._sock = None
        self._seq = 0
        self._write_lock = threading.Lock()
        self._receipts = {}
        self._thread = None
        self._running = False
        self.on_message = None
        self.on_receipt = None

    def connect(self):
        self._sock = socket.create_connection((self._host, self._port))
        self._running = True
        self._thread = threading.Thread(target=self._reader, name="stomp-reader", daemon=True)
        self._thread.start()

    def _next_receipt(self):
        # BUG: read-modify-write on the caller's thread and on the reader thread.
        self._seq = self._seq + 1
        return "r-%d" % self._seq

    def send(self, destination, body):
        receipt = self._next_receipt()
        frame = "SEND\ndestination:%s\nreceipt:%s\n\n%s\x00" % (destination, receipt, body)
        with self._write_lock:
            self._sock.sendall(frame.encode())
        return receipt

    def _reader(self):
        buf = b""
        while self._running:
            data = self._sock.recv(4096)
            if not data:
                break
            buf += data
            while b"\x00" in buf:
                raw, buf = buf.split(b"\x00", 1)
                self._dispatch(raw.decode())

    def _dispatch(self, raw):
        command, _, rest = raw.partition("\n")
        if command == "MESSAGE" and self.on_message is not None:
            self.on_message(self, rest)
        elif command == "RECEIPT" and self.on_receipt is not None:
            self.on_receipt(self, rest)

    def disconnect(self):
        self._running = False
        if self._sock is not None:
            self._sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
