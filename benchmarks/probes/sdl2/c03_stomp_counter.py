"""Fixed b03 with the itertools.count idiom (next() on a count is atomic under the GIL)
plus a locked variant for the receipts dict."""
import itertools
import socket
import threading


class StompClient:
    def __init__(self, host, port=61613):
        self._host = host
        self._port = port
        self._sock = None
        self._ids = itertools.count(1)
        self._write_lock = threading.Lock()
        self._receipts = {}
        self._thread = None
        self._running = False
        self.on_message = None

    def connect(self):
        self._sock = socket.create_connection((self._host, self._port))
        self._running = True
        self._thread = threading.Thread(target=self._reader, daemon=True)
        self._thread.start()

    def send(self, destination, body):
        receipt = "r-%d" % next(self._ids)
        with self._write_lock:
            self._receipts[receipt] = destination
            self._sock.sendall(("SEND\n%s\n%s\n\n%s\x00" % (destination, receipt, body)).encode())
        return receipt

    def _reader(self):
        while self._running:
            data = self._sock.recv(4096)
            if not data:
                break
            if data.startswith(b"RECEIPT"):
                rid = data.split(b":", 1)[1].strip().decode()
                with self._write_lock:
                    self._receipts.pop(rid, None)
            elif self.on_message is not None:
                self.on_message(self, data)

    def disconnect(self):
        self._running = False
        if self._sock is not None:
            self._sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
