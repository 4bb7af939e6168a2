"""A local fake push service for tests and the benchmark (never a real one).

``FakePushService`` is an HTTP/1.1 server on 127.0.0.1 that accepts Web Push POSTs
(keep-alive), records each request (path, headers, body) when ``record`` is on, and
answers 201, or the status set for a path with ``respond(path, status)`` (e.g. 410 for
an expired subscription). Endpoints are ``service.origin + "/push/<id>"``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakePushService:
    record: bool = True
    received: list[Received] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    count: int = 0

    def __post_init__(self):
        service = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with lock:
                    service.count += 1
                    if service.record:
                        service.received.append(Received(
                            self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = service.statuses.get(self.path, 201)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def respond(self, name: str, status: int):
        self.statuses[f"/push/{name}"] = status

    def start(self) -> FakePushService:
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def subscriber_keys():
    """A browser's side of a subscription: (private key, p256dh, auth) as a test uses it
    to decrypt what the server sent."""
    import base64
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    auth = os.urandom(16)

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return private, b64(public), b64(auth), auth
