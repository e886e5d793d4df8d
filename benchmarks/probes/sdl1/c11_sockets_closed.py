"""sd_notify and a port picker that close their sockets on every path."""

import errno
import os
import socket


def notify(state):
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return False
    if path.startswith("@"):
        path = "\0" + path[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect(path)
        sock.sendall(state.encode("utf-8"))
    return True


def bind_first_free(host="127.0.0.1", first=8125, last=8200):
    for port in range(first, last + 1):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                continue
            raise
        return sock, port
    raise RuntimeError("no free port in %d-%d" % (first, last))
