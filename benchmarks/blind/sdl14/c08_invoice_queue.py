"""Processes invoice jobs; callers use flush() to wait for everything submitted."""
import logging
import queue
import threading

log = logging.getLogger(__name__)


class InvoiceQueue:
    def __init__(self, renderer, mailer, workers=2):
        self._renderer = renderer
        self._mailer = mailer
        self._q = queue.Queue()
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]
        for t in self._threads:
            t.start()

    def submit(self, invoice):
        self._q.put(invoice)

    def flush(self):
        self._q.join()

    def _work(self):
        while True:
            invoice = self._q.get()
            try:
                if invoice is None:
                    break
                if invoice.total == 0:
                    continue
                pdf = self._renderer.render(invoice)
                self._mailer.send(invoice.customer_email, pdf)
            except Exception:
                log.exception("invoice %s failed", getattr(invoice, "number", "?"))
            finally:
                # runs on break, continue and exceptions alike
                self._q.task_done()

    def close(self, timeout=30.0):
        for _ in self._threads:
            self._q.put(None)
        for t in self._threads:
            t.join(timeout)
