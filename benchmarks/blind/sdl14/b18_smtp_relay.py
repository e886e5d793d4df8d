"""Minimal SMTP relay client for transactional mail (no TLS; internal network)."""
import socket


class SmtpError(Exception):
    pass


class SmtpRelay:
    def __init__(self, host, port=25, timeout=10.0, helo="app.internal"):
        self._host = host
        self._port = port
        self._timeout = timeout
        self._helo = helo

    def _dial(self):
        return socket.create_connection((self._host, self._port), timeout=self._timeout)

    @staticmethod
    def _expect(f, code):
        line = f.readline().decode("ascii", "replace")
        if not line.startswith(code):
            raise SmtpError(line.strip())
        return line

    def send(self, sender, recipients, body):
        sock = self._dial()
        f = sock.makefile("rb")  # expect: SDL104
        try:
            self._expect(f, "220")
            for cmd, code in [(f"HELO {self._helo}", "250"), (f"MAIL FROM:<{sender}>", "250")]:
                sock.sendall(cmd.encode() + b"\r\n")
                self._expect(f, code)
            for rcpt in recipients:
                sock.sendall(f"RCPT TO:<{rcpt}>\r\n".encode())
                self._expect(f, "250")
            sock.sendall(b"DATA\r\n")
            self._expect(f, "354")
            sock.sendall(body.replace(b"\n.", b"\n..") + b"\r\n.\r\n")
            self._expect(f, "250")
            sock.sendall(b"QUIT\r\n")
        finally:
            f.close()
            sock.close()
