"""Renders animation frames in worker processes; cleans up on any exit."""
import atexit
import multiprocessing as mp
import os

_active = []


def _render_range(scene_path, frames, out_dir):
    from renderer import load_scene  # heavy import, child only

    scene = load_scene(scene_path)
    for frame in frames:
        scene.render(frame).save(os.path.join(out_dir, f"{frame:05d}.png"))


def _split(frames, n):
    return [frames[i::n] for i in range(n)]


def render(scene_path, frames, out_dir, workers=None):
    workers = workers or os.cpu_count() or 1
    procs = [mp.Process(target=_render_range, args=(scene_path, part, out_dir))
             for part in _split(list(frames), workers) if part]
    try:
        for p in procs:
            p.start()
            _active.append(p)
        for p in procs:
            p.join()
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            if p.pid is not None:
                p.join(timeout=10)
            if p in _active:
                _active.remove(p)
    failed = [p.exitcode for p in procs if p.exitcode]
    if failed:
        raise RuntimeError(f"{len(failed)} render workers failed")


def _kill_leftovers():
    for p in list(_active):
        p.terminate()
        p.join(timeout=5)


atexit.register(_kill_leftovers)
