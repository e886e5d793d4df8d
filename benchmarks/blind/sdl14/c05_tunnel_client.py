"""Authenticated tunnel client: the handshake helper owns the socket it is given."""
import hmac
import socket


class Session:
    def __init__(self, sock):
        self._sock = sock

    def send(self, data):
        self._sock.sendall(len(data).to_bytes(4, "big") + data)

    def close(self):
        self._sock.close()


def _handshake(sock, key):
    """Takes ownership of sock: on any failure the socket is closed here."""
    try:
        nonce = sock.recv(32)
        if len(nonce) != 32:
            raise ConnectionError("short nonce")
        sock.sendall(hmac.new(key, nonce, "sha256").digest())
        if sock.recv(2) != b"OK":
            raise PermissionError("tunnel rejected credentials")
    except BaseException:
        sock.close()
        raise
    return Session(sock)


def open_tunnel(host, port, key, timeout=10.0):
    sock = socket.create_connection((host, port), timeout=timeout)
    return _handshake(sock, key)
