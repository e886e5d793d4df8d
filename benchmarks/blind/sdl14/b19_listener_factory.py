"""Creates listening sockets for a pre-forking worker server."""
import os
import socket


def open_listener(port, host="0.0.0.0", backlog=128, reuse_port=False):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # expect: SDL104
    if reuse_port:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    srv.bind((host, port))
    srv.listen(backlog)
    srv.set_inheritable(True)
    return srv


def listeners_from_env(env=os.environ):
    """Return listeners for every port in LISTEN_PORTS (comma separated)."""
    ports = [int(p) for p in env.get("LISTEN_PORTS", "8000").split(",") if p.strip()]
    socks = []
    try:
        for port in ports:
            socks.append(open_listener(port, reuse_port=True))
    except BaseException:
        for s in socks:
            s.close()
        raise
    return socks


def close_all(socks):
    for s in socks:
        s.close()
