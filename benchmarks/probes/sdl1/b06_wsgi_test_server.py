"""Run a WSGI app on a background thread for tests.

Modelled on pytest-localserver's WSGIServer / werkzeug-based "live server"
fixtures: ``start()`` waits on ``ready`` with no timeout, and ``run()`` only sets
it after ``make_server`` succeeded. If the port is taken, ``make_server`` raises
OSError on the server thread and ``start()`` hangs the whole test session.
"""

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class LiveServer(threading.Thread):
    def __init__(self, app, host="127.0.0.1", port=0):
        super().__init__(name="live-server", daemon=True)
        self.app = app
        self.host = host
        self.port = port
        self.ready = threading.Event()
        self.httpd = None

    def run(self):
        self.httpd = make_server(self.host, self.port, self.app, handler_class=_QuietHandler)
        self.port = self.httpd.server_port
        self.ready.set()
        self.httpd.serve_forever(poll_interval=0.1)

    def start(self):
        super().start()
        self.ready.wait()
        return "http://%s:%d" % (self.host, self.port)

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        self.join(timeout=5)
