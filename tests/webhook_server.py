"""A Slack-compatible incoming-webhook endpoint on 127.0.0.1 for tests, run as a subprocess
(`python -m tests.webhook_server`), scripted over HTTP:

- POST /hook (or /hook/<anything>, e.g. a Slack-shaped /hook/services/T../B../token): answers the next scripted status (200 when the script is empty); a 429 carries
  Retry-After; "hold" keeps the request open until POST /_release, then answers 500 (the
  sender never got an acknowledgement, so the message was not delivered).
- POST /_script with a JSON list of statuses, GET /_received for the acknowledged payloads,
  GET /_holding for whether a request is being held.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.script: list[object] = []
        self.received: list[dict[str, object]] = []
        self.holding = threading.Event()
        self.release = threading.Event()


STATE = State()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(
        self, status: int, body: bytes = b"ok", headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/_received":
            with STATE.lock:
                self._reply(200, json.dumps(STATE.received).encode())
        elif self.path == "/_holding":
            self._reply(200, json.dumps(STATE.holding.is_set()).encode())
        else:
            self._reply(404, b"no_service")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/_script":
            with STATE.lock:
                STATE.script = json.loads(body)
            return self._reply(204, b"")
        if self.path == "/_release":
            STATE.release.set()
            return self._reply(204, b"")
        if self.path != "/hook" and not self.path.startswith("/hook/"):  # /hook/services/T/B/x
            return self._reply(404, b"no_service")
        with STATE.lock:
            step = STATE.script.pop(0) if STATE.script else 200
        if step == "hold":
            STATE.holding.set()
            STATE.release.wait()
            STATE.holding.clear()
            return self._reply(500, b"internal_error")
        if step == 429:
            return self._reply(429, b"rate_limited", {"Retry-After": "1"})
        if step == 200:
            with STATE.lock:
                STATE.received.append(json.loads(body))
            return self._reply(200, b"ok")
        return self._reply(int(step), b"error")  # type: ignore[call-overload]


if __name__ == "__main__":
    server = ThreadingHTTPServer(
        ("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler
    )
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
