"""Group member that cancels its heartbeat task when joining fails."""

import asyncio
import contextlib


class GroupMember:
    def __init__(self, client, group_id, interval=3.0):
        self._client = client
        self._group_id = group_id
        self._interval = interval
        self._heartbeat_task = None
        self.generation = None

    async def _heartbeat_loop(self):
        while True:
            await asyncio.sleep(self._interval)
            await self._client.send("heartbeat", group=self._group_id)

    async def _join_group(self):
        response = await self._client.send("join", group=self._group_id)
        if response.get("error"):
            raise RuntimeError("join failed: %s" % response["error"])
        return response["generation"]

    async def join(self):
        task = asyncio.create_task(self._heartbeat_loop())
        try:
            self.generation = await self._join_group()
        except BaseException:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise
        self._heartbeat_task = task

    async def leave(self):
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            self._heartbeat_task = None
        await self._client.send("leave", group=self._group_id)
