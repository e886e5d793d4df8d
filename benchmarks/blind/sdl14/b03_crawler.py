"""Polite site crawler: one thread reads the sitemap, N fetcher threads download pages."""
import threading
import queue
import urllib.request

STOP = "__stop__"


class Crawler:
    def __init__(self, base_url, store, fetchers=4):
        self._base = base_url.rstrip("/")
        self._store = store
        self._n = fetchers
        self._urls = queue.Queue()

    def _fetch_loop(self):
        while (url := self._urls.get()) != STOP:
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    self._store.save(url, resp.read())
            except OSError as exc:
                self._store.record_error(url, exc)

    def _read_sitemap(self):
        with urllib.request.urlopen(self._base + "/sitemap.txt", timeout=10) as resp:
            body = resp.read().decode("utf-8")
        return [line.strip() for line in body.splitlines() if line.startswith("http")]

    def _produce(self):
        urls = self._read_sitemap()  # expect: SDL101
        for url in urls:
            if self._store.seen(url):
                continue
            self._urls.put(url)
        for _ in range(self._n):
            self._urls.put(STOP)

    def crawl(self):
        # the producer starts first: if a fetcher fails to start, it still
        # puts one STOP per fetcher into the unbounded queue and exits
        threads = [threading.Thread(target=self._produce, name="sitemap")]
        threads += [threading.Thread(target=self._fetch_loop, name=f"fetch-{i}") for i in range(self._n)]
        started = []
        try:
            for t in threads:
                t.start()
                started.append(t)
        finally:
            for t in started:
                t.join()
