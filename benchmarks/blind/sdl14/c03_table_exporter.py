"""Exports database tables to Parquet files in parallel."""
import os
from concurrent.futures import ThreadPoolExecutor


class TableExporter:
    def __init__(self, db, writer, parallel=4):
        self._db = db
        self._writer = writer
        self._parallel = parallel

    def _plan(self, tables):
        sizes = {t: self._db.estimate_rows(t) for t in tables}
        return sorted(tables, key=sizes.__getitem__, reverse=True)

    def _export(self, table, out_dir):
        path = os.path.join(out_dir, f"{table}.parquet")
        self._writer.write(path, self._db.scan(table))
        return path

    def export_all(self, tables, out_dir):
        pool = ThreadPoolExecutor(max_workers=self._parallel, thread_name_prefix="export")
        if not tables:
            # nothing was submitted, so the pool never started a thread
            return []
        plan = self._plan(tables)
        os.makedirs(out_dir, exist_ok=True)
        with pool:
            futures = [pool.submit(self._export, t, out_dir) for t in plan]
            return [f.result() for f in futures]
