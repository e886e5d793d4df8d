"""An asyncio consumer-group member that heartbeats while it is joined.

Shape of aiokafka's group coordinator / websockets' keepalive setup: the
heartbeat task is created before the join/sync handshake, and only stored on
``self`` after it. When ``_join_group()`` raises (a rebalance error), the task is
neither cancelled nor reachable: it keeps sending heartbeats for a member that
never joined.
"""

import asyncio
import logging

log = logging.getLogger(__name__)


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
        self.generation = await self._join_group()
        log.info("joined %s as generation %s", self._group_id, self.generation)
        self._heartbeat_task = task

    async def leave(self):
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            self._heartbeat_task = None
        await self._client.send("leave", group=self._group_id)
