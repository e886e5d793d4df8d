"""Scrapers feed a single aggregator thread; shutdown stops scrapers before the aggregator."""
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

_STOP = object()


class MetricsPipeline:
    def __init__(self, targets, store, interval=15.0):
        self._targets = targets
        self._store = store
        self._interval = interval
        self._samples = queue.Queue()
        self._stopping = threading.Event()
        self._scrapers = ThreadPoolExecutor(max_workers=len(targets) or 1, thread_name_prefix="scrape")
        self._aggregator = threading.Thread(target=self._aggregate, name="aggregate")

    def start(self):
        self._aggregator.start()
        for target in self._targets:
            self._scrapers.submit(self._scrape, target)

    def _scrape(self, target):
        while not self._stopping.wait(self._interval):
            for sample in target.scrape():
                self._samples.put(sample)

    def _aggregate(self):
        while (sample := self._samples.get()) is not _STOP:
            self._store.add(sample)
        self._store.flush()

    def stop(self):
        self._stopping.set()
        try:
            # producers first: after this nobody puts into _samples any more
            self._scrapers.shutdown(wait=True)
        finally:
            self._samples.put(_STOP)
            self._aggregator.join(timeout=30)
