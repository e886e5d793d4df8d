"""Parse a large CSV in a separate process and feed rows to the parent.

The classic multiprocessing producer/consumer recipe (as in many ETL scripts and
in old versions of tqdm's examples): the producer process puts ``None`` after its
loop. A malformed row raises in ``csv.reader`` / ``int()`` and the child exits
without it; the parent blocks in ``rows.get()`` forever (the child's death does
not wake a blocked ``get()``).
"""

import csv
import multiprocessing as mp


def produce_rows(path, rows):
    with open(path, newline="") as fh:
        for record in csv.reader(fh):
            rows.put((record[0], int(record[1])))
    rows.put(None)


def load_totals(path):
    ctx = mp.get_context("spawn")
    rows = ctx.Queue(maxsize=1000)
    producer = ctx.Process(target=produce_rows, args=(path, rows), daemon=True)
    producer.start()
    totals = {}
    while True:
        row = rows.get()
        if row is None:
            break
        key, amount = row
        totals[key] = totals.get(key, 0) + amount
    producer.join(timeout=5)
    return totals


if __name__ == "__main__":
    import sys

    print(load_totals(sys.argv[1]))
