"""pytest fixtures that run the API under test in a child process."""
import multiprocessing
import socket
import time

import pytest


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port, db_path):
    from myservice.app import create_app  # imported in the child only

    create_app(db_path).run(host="127.0.0.1", port=port)


def _wait_for_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"server did not listen on {port} within {timeout}s")


@pytest.fixture
def api_server(tmp_path):
    port = _free_port()
    proc = multiprocessing.Process(target=_serve, args=(port, tmp_path / "test.db"), daemon=True)
    proc.start()
    try:
        _wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.join(timeout=10)


def test_health(api_server):
    import urllib.request

    with urllib.request.urlopen(api_server + "/health", timeout=5) as resp:
        assert resp.status == 200
