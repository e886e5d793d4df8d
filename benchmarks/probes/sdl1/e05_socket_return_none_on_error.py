"""SDL104: connect failure handled by returning None, without closing the socket."""
import logging
import socket

log = logging.getLogger(__name__)


def open_agent_socket(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        log.debug("no agent at %s", path)
        return None
    return sock
