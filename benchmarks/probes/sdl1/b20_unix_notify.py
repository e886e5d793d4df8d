"""Send a status datagram/line to a supervisor over a Unix socket.

Shape of systemd ``sd_notify`` helpers and of supervisor/uwsgi "control socket"
clients (gunicorn's ``ctl`` client, celery's remote-control fallbacks): the socket
is closed on the normal path only; a missing socket file (``connect`` raising
FileNotFoundError) or a peer that hung up (``sendall`` raising) leaks it. In a
long-running worker that notifies on every request this is one fd per failure.
"""

import os
import socket


def _socket_path():
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return None
    if path.startswith("@"):
        path = "\0" + path[1:]
    return path


def notify(state, unset_environment=False):
    path = _socket_path()
    if path is None:
        return False
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.connect(path)
    sock.sendall(state.encode("utf-8"))
    sock.close()
    if unset_environment:
        os.environ.pop("NOTIFY_SOCKET", None)
    return True


def ready(status=None):
    message = "READY=1"
    if status:
        message += "\nSTATUS=%s" % status
    return notify(message)
