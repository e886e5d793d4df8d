"""Checks which service ports answer, for a deployment smoke test."""
import contextlib
import socket


def probe(host, port, timeout=2.0):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with contextlib.closing(sock):
        sock.settimeout(timeout)
        try:
            sock.connect((host, port))
        except OSError:
            return False
        return True


def banner(host, port, timeout=2.0):
    with contextlib.closing(socket.create_connection((host, port), timeout=timeout)) as sock:
        return sock.recv(256).decode("latin-1").strip()


def wait_until_up(host, port, attempts=30, delay=1.0):
    import time

    for _ in range(attempts):
        if probe(host, port):
            return True
        time.sleep(delay)
    return False


def smoke_test(host, ports):
    results = {}
    for port in ports:
        results[port] = probe(host, port)
    missing = [p for p, ok in results.items() if not ok]
    if missing:
        raise SystemExit(f"{host}: ports not answering: {missing}")
    return results
