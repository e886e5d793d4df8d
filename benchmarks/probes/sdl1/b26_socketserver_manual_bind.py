"""Start a threaded TCP control server with SO_REUSEADDR set before binding.

Shape of dev/test servers that build a ``socketserver`` server with
``bind_and_activate=False`` so they can tweak the socket first (werkzeug's
``BaseWSGIServer`` path for a passed-in fd, logging's ``LogRecordSocketReceiver``
recipes): when ``server_bind()`` fails (port in use), the server's socket is not
closed, and the retry with the next port leaks it.
"""

import socketserver
import threading


class ControlHandler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline().strip()
        self.wfile.write(self.server.dispatch(line) + b"\n")


class ControlServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, dispatch):
        super().__init__(address, ControlHandler, bind_and_activate=False)
        self.dispatch = dispatch


def start_control_server(dispatch, host="127.0.0.1", port=7070):
    server = ControlServer((host, port), dispatch)
    server.server_bind()
    server.server_activate()
    thread = threading.Thread(target=server.serve_forever, name="control", daemon=True)
    thread.start()
    return server, thread
