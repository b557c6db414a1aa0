"""gunicorn writes a response's headers and its body in two `send` calls. An instance killed between the two has
handed nginx the headers, and nginx cannot retry a request whose answer has started: the client gets a truncated
answer. This response class keeps the headers until the first body bytes and sends both in one call, so the
kernel delivers a buffered answer whole or not at all, and nginx retries the latter on another instance.

Installed by gunicorn.conf.py (`install()`), in the master before the workers fork.
"""

from __future__ import annotations

from gunicorn.http import wsgi


class _Collect:
    """Stands in for the socket while gunicorn writes its header block, so the bytes can be kept."""

    def __init__(self):
        self.data = b""

    def sendall(self, data: bytes) -> None:
        self.data += data


class WholeResponse(wsgi.Response):
    _pending = b""

    def send_headers(self):
        if self.headers_sent:
            return
        real, self.sock = self.sock, _Collect()
        try:
            super().send_headers()
            self._pending = self.sock.data
        finally:
            self.sock = real

    def _flush_headers(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, b""
            self.sock.sendall(pending)

    def _emit_body(self, data):
        if not self._pending:
            return super()._emit_body(data)
        framed = b"%X\r\n%s\r\n" % (len(data), data) if self.chunked else data
        pending, self._pending = self._pending, b""
        self.sock.sendall(pending + framed)  # headers and the first body bytes: one call
        return None

    def sendfile(self, respiter):
        self.send_headers()
        self._flush_headers()  # sendfile writes to the socket itself
        return super().sendfile(respiter)

    def close(self):
        self.send_headers()
        self._flush_headers()  # no body (HEAD, 204, 304, empty): the headers alone
        super().close()


def install() -> None:
    wsgi.Response = WholeResponse
