"""A slow news site on 127.0.0.1 for the daemon's lanes: `python -m tests.slow_site DELAY`
prints its port, then answers every request after DELAY seconds: /feed-K.rss lists three
articles /K/N.html. `GET /_open` (answered at once) says how many requests are being held,
so a test can see a crawl still running."""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OPEN = [0]
LOCK = threading.Lock()


class Slow(BaseHTTPRequestHandler):
    delay = 0.0

    def do_GET(self) -> None:
        if self.path == "/_open":
            self._send(200, "text/plain", str(OPEN[0]).encode())
            return
        with LOCK:
            OPEN[0] += 1
        try:
            time.sleep(self.delay)
            self._send(*self._page())
        finally:
            with LOCK:
                OPEN[0] -= 1

    def _page(self) -> tuple[int, str, bytes]:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path.startswith("/feed-") and self.path.endswith(".rss"):
            k = self.path.removeprefix("/feed-").removesuffix(".rss")
            items = "".join(
                f"<item><title>slow {k}-{n}</title><link>{base}/{k}/{n}.html</link></item>"
                for n in range(3)
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
            return 200, "application/rss+xml", body.encode()
        if self.path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\n"
        return 200, "text/html; charset=utf-8", b"<html><body><p>slow</p></body></html>"

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the crawler gave up on this request

    def log_message(self, format: str, *args: object) -> None:
        pass


if __name__ == "__main__":
    Slow.delay = float(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
