"""TCP echo server used by the client library's integration tests."""
import socket
import threading


class EchoServer:
    def __init__(self, host="127.0.0.1"):
        self._listener = socket.create_server((host, 0))
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="echo-server", daemon=True)

    @property
    def address(self):
        return self._listener.getsockname()

    def start(self):
        self._thread.start()
        return self

    def _serve(self):
        self._listener.settimeout(0.2)
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(2.0)
                while data := conn.recv(65536):
                    conn.sendall(data)

    def stop(self):  # expect: SDL104
        self._stopping.set()
        self._thread.join(timeout=5)
