"""Transcodes uploaded videos: a feeder task hands jobs to encoder tasks."""
import asyncio
import logging

log = logging.getLogger(__name__)

DONE = object()


def run_ffmpeg(upload, profile):
    """Blocking ffmpeg invocation; defined elsewhere in the real service."""
    return profile.render(upload)


class TranscodeService:
    def __init__(self, inbox, profiles, encoders=2):
        self._inbox = inbox
        self._profiles = list(profiles)
        self._encoders = encoders
        self._jobs = asyncio.Queue()

    async def _feed(self):
        if not self._profiles:
            # nothing configured: nothing to transcode
            return  # expect: SDL101
        try:
            async for upload in self._inbox.pending():
                for profile in self._profiles:
                    await self._jobs.put((upload, profile))
        finally:
            for _ in range(self._encoders):
                await self._jobs.put(DONE)

    async def _encode_loop(self, n):
        while (job := await self._jobs.get()) is not DONE:
            upload, profile = job
            try:
                await asyncio.to_thread(run_ffmpeg, upload, profile)
            except Exception:
                log.exception("encoder %d: %s/%s failed", n, upload.id, profile.name)
            else:
                await self._inbox.mark_done(upload, profile.name)

    async def run(self):
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._feed())
            for n in range(self._encoders):
                tg.create_task(self._encode_loop(n))
