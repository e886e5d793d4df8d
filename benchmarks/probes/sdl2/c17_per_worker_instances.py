"""Correct: one Fetcher object per thread (each thread updates only its own instance);
the owner sums the counters after joining."""
import threading


class Fetcher:
    def __init__(self, session, urls):
        self._session = session
        self._urls = urls
        self.fetched = 0
        self.failed = 0
        self.results = {}

    def run(self):
        for url in self._urls:
            try:
                self.results[url] = self._session.get(url)
                self.fetched += 1
            except Exception:
                self.failed += 1


class ParallelFetcher:
    def __init__(self, session, workers=4):
        self._session = session
        self._workers = workers
        self._lock = threading.Lock()

    def fetch_all(self, urls):
        chunks = [urls[i::self._workers] for i in range(self._workers)]
        fetchers, threads = [], []
        for chunk in chunks:
            fetcher = Fetcher(self._session, chunk)
            thread = threading.Thread(target=fetcher.run)
            thread.start()
            fetchers.append(fetcher)
            threads.append(thread)
        for thread in threads:
            thread.join()
        with self._lock:
            return sum(f.fetched for f in fetchers), sum(f.failed for f in fetchers)
