"""Reconnect an MQTT-style client over TLS with an explicit handshake.

Modelled on paho-mqtt 1.x ``Client.reconnect`` (and pika's SSL socket setup):
the socket is wrapped with ``do_handshake_on_connect=False`` so that the
handshake can run under the connect timeout, then ``do_handshake()`` is called
explicitly. When the handshake fails (certificate error, a plain-text broker),
the wrapped socket was never stored in ``self._sock`` and is not closed: every
retry of the reconnect loop leaks one descriptor.
"""

import socket
import ssl
import time


class MQTTClient:
    def __init__(self, host, port=8883, keepalive=60, tls_context=None):
        self._host = host
        self._port = port
        self._keepalive = keepalive
        self._ssl_context = tls_context or ssl.create_default_context()
        self._sock = None
        self._last_msg_in = 0.0

    def reconnect(self, timeout=10.0):
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        sock = socket.create_connection((self._host, self._port), timeout=timeout)
        sock = self._ssl_context.wrap_socket(
            sock, server_hostname=self._host, do_handshake_on_connect=False
        )
        sock.settimeout(timeout)
        sock.do_handshake()
        sock.setblocking(False)
        self._sock = sock
        self._last_msg_in = time.monotonic()
        return self._send_connect()

    def _send_connect(self):
        packet = bytearray(b"\x10\x0c\x00\x04MQTT\x04\x02")
        packet += self._keepalive.to_bytes(2, "big") + b"\x00\x00"
        return self._sock.send(bytes(packet))

    def disconnect(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None
