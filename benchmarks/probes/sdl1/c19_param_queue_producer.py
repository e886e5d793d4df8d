"""Multiprocessing CSV producer that always ends the stream (the fixed b05)."""

import csv
import multiprocessing as mp


def produce_rows(path, rows):
    try:
        with open(path, newline="") as fh:
            for record in csv.reader(fh):
                rows.put((record[0], int(record[1])))
    finally:
        rows.put(None)


def load_totals(path):
    ctx = mp.get_context("spawn")
    rows = ctx.Queue(maxsize=1000)
    producer = ctx.Process(target=produce_rows, args=(path, rows), daemon=True)
    producer.start()
    totals = {}
    try:
        while True:
            row = rows.get()
            if row is None:
                break
            key, amount = row
            totals[key] = totals.get(key, 0) + amount
    finally:
        producer.join(timeout=5)
    return totals
