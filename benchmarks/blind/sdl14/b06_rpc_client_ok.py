"""Line-delimited JSON-RPC client; a reader thread resolves pending-request futures."""
import concurrent.futures
import itertools
import json
import threading


class RpcClient:
    def __init__(self, sock):
        self._sock = sock
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._pending = {}
        self._closed = False
        self._reader = threading.Thread(target=self._read_loop, name="rpc-reader", daemon=True)
        self._reader.start()

    def call_async(self, method, **params):
        frame = json.dumps({"id": None, "method": method, "params": params})
        with self._lock:
            if self._closed:
                raise ConnectionError("client is closed")
            req_id = next(self._ids)
            fut = concurrent.futures.Future()
            self._pending[req_id] = fut
        data = frame.replace('"id": null', f'"id": {req_id}', 1).encode() + b"\n"
        try:
            self._sock.sendall(data)
        except OSError as exc:
            # the reader will never see a reply for this id: fail it here
            with self._lock:
                still_ours = self._pending.pop(req_id, None) is not None
            if still_ours and fut.set_running_or_notify_cancel():
                fut.set_exception(exc)
            return fut
        return fut

    def call(self, method, timeout=30.0, **params):
        return self.call_async(method, **params).result(timeout)

    def _read_loop(self):
        try:
            for line in self._sock.makefile("rb"):
                msg = json.loads(line)
                with self._lock:
                    fut = self._pending.pop(msg["id"], None)
                if fut is None or not fut.set_running_or_notify_cancel():
                    continue
                if "error" in msg:
                    fut.set_exception(RuntimeError(msg["error"]))
                else:
                    fut.set_result(msg.get("result"))
        finally:
            self._fail_pending(ConnectionError("connection closed"))

    def _fail_pending(self, exc):
        with self._lock:
            self._closed = True
            pending, self._pending = self._pending, {}
        for fut in pending.values():
            if fut.set_running_or_notify_cancel():
                fut.set_exception(exc)

    def close(self):
        self._sock.close()
        self._reader.join(timeout=5)
