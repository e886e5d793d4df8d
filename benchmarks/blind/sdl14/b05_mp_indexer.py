"""Parallel log indexer: a reader process streams chunks to indexing processes."""
import multiprocessing as mp
import os

SENTINEL = None
CHUNK = 1 << 20


def indexer(in_q, out_dir, n):
    index = {}
    while (chunk := in_q.get()) is not SENTINEL:
        for offset, line in enumerate(chunk.splitlines()):
            for word in set(line.split()):
                index.setdefault(word, []).append(offset)
    with open(os.path.join(out_dir, f"part-{n}.idx"), "w") as fh:
        for word in sorted(index):
            fh.write(f"{word.decode(errors='replace')}\t{len(index[word])}\n")


def reader(path, out_q, n_consumers):
    try:
        with open(path, "rb") as fh:  # expect: SDL101
            while chunk := fh.read(CHUNK):
                out_q.put(chunk)
        for _ in range(n_consumers):
            out_q.put(SENTINEL)
    finally:
        # close() does not wake an indexer blocked in get()
        out_q.close()
        out_q.join_thread()


def build_index(path, out_dir, workers=3):
    q = mp.Queue()
    procs = [mp.Process(target=reader, args=(path, q, workers), name="reader")]
    procs += [mp.Process(target=indexer, args=(q, out_dir, i), name=f"indexer-{i}") for i in range(workers)]
    started = []
    try:
        for p in procs:
            p.start()
            started.append(p)
    finally:
        for p in started:
            p.join()
    return [p.exitcode for p in procs]
