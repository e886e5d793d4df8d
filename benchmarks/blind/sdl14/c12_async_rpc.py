"""asyncio RPC client; the response reader owns every registered future."""
import asyncio
import itertools
import json


class AsyncRpc:
    def __init__(self, reader, writer):
        self._reader = reader
        self._writer = writer
        self._ids = itertools.count(1)
        self._pending = {}
        self._read_task = asyncio.create_task(self._read_responses())

    async def call(self, method, *params, timeout=30.0):
        if self._read_task.done():
            raise ConnectionError("connection lost")
        req_id = next(self._ids)
        fut = asyncio.get_running_loop().create_future()
        self._pending[req_id] = fut  # hand-off: _read_responses resolves or fails it
        self._writer.write(json.dumps({"id": req_id, "method": method, "params": params}).encode() + b"\n")
        await self._writer.drain()
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self._pending.pop(req_id, None)

    async def _read_responses(self):
        try:
            while line := await self._reader.readline():
                msg = json.loads(line)
                fut = self._pending.pop(msg.get("id"), None)
                if fut is None or fut.done():
                    continue
                if "error" in msg:
                    fut.set_exception(RuntimeError(msg["error"]))
                else:
                    fut.set_result(msg.get("result"))
        finally:
            pending, self._pending = self._pending, {}
            for fut in pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("connection lost"))

    async def aclose(self):
        self._writer.close()
        self._read_task.cancel()
        await asyncio.gather(self._read_task, return_exceptions=True)
        await self._writer.wait_closed()
