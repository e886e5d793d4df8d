"""A live test server whose start() cannot hang: errors are handed to the waiter.

Like pytest-localserver after its fix: ``run()`` records the startup error and
sets ``ready`` in ``finally:``; ``start()`` re-raises it.
"""

import threading
from wsgiref.simple_server import make_server


class LiveServer(threading.Thread):
    def __init__(self, app, host="127.0.0.1", port=0):
        super().__init__(name="live-server", daemon=True)
        self.app = app
        self.host = host
        self.port = port
        self.ready = threading.Event()
        self.error = None
        self.httpd = None

    def run(self):
        try:
            self.httpd = make_server(self.host, self.port, self.app)
            self.port = self.httpd.server_port
        except Exception as exc:
            self.error = exc
            return
        finally:
            self.ready.set()
        self.httpd.serve_forever(poll_interval=0.1)

    def start(self):
        super().start()
        self.ready.wait()
        if self.error is not None:
            raise self.error
        return "http://%s:%d" % (self.host, self.port)

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        self.join(timeout=5)
