"""An instance's answer leaves in one write (headers with the first body bytes), so a kill -9 between gunicorn's
writes can no longer hand nginx the headers alone (which nginx could not retry on another instance)."""

from __future__ import annotations

from types import SimpleNamespace

from gunicorn.config import Config

from infra.whole_responses import WholeResponse


class RecordingSocket:
    """What the response writes, call by call (a unit test of the framing: no server involved)."""

    def __init__(self):
        self.calls: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.calls.append(bytes(data))


def _response(method: str = "GET", version: tuple[int, int] = (1, 1)):
    req = SimpleNamespace(method=method, version=version, should_close=lambda: False, headers=[])
    sock = RecordingSocket()
    return WholeResponse(req, sock, Config()), sock


def test_headers_and_body_of_a_sized_answer_leave_in_one_write():
    resp, sock = _response()
    resp.start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", "11")])
    resp.write(b"hello world")
    resp.close()
    assert len(sock.calls) == 1
    head, body = sock.calls[0].split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Content-Length: 11" in head and body == b"hello world"


def test_a_chunked_answer_sends_its_first_chunk_with_the_headers_and_ends_properly():
    resp, sock = _response()
    resp.start_response("200 OK", [("Content-Type", "text/csv")])  # no length: chunked on HTTP/1.1
    for part in (b"a,b\r\n", b"1,2\r\n"):
        resp.write(part)
    resp.close()
    whole = b"".join(sock.calls)
    assert sock.calls[0].split(b"\r\n\r\n", 1)[1] == b"5\r\na,b\r\n\r\n"  # headers + first chunk, one write
    assert whole.endswith(b"5\r\n1,2\r\n\r\n0\r\n\r\n")


def test_an_answer_without_a_body_still_sends_its_headers():
    for method, status in (("HEAD", "200 OK"), ("GET", "204 No Content"), ("GET", "304 Not Modified")):
        resp, sock = _response(method)
        resp.start_response(status, [("Content-Length", "0")] if status.startswith("200") else [])
        resp.close()
        assert len(sock.calls) == 1 and sock.calls[0].startswith(b"HTTP/1.1 " + status.encode())
