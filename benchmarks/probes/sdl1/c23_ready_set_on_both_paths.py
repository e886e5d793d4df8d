"""Server thread that reports a bind error to start() through the same Event."""

import socket
import threading


class EchoServer:
    def __init__(self, host="127.0.0.1", port=0):
        self.address = (host, port)
        self.ready = threading.Event()
        self.error = None
        self.sock = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="echo", daemon=True)

    def start(self):
        self._thread.start()
        self.ready.wait()
        if self.error is not None:
            raise self.error
        return self.sock.getsockname()

    def _serve(self):
        try:
            self.sock = socket.create_server(self.address)
        except Exception as exc:
            self.error = exc
            self.ready.set()
            return
        self.ready.set()
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            with conn:
                conn.sendall(conn.recv(4096))

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=2)
        if self.sock is not None:
            self.sock.close()
