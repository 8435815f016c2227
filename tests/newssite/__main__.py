"""`python -m tests.newssite [--port N] [--prerender N]`: serve the site and print its port
on the first line. `--prerender N` renders the bench pages /bench/0..N-1.html first, so a
benchmark measures the crawler rather than this server."""

import argparse

from tests.newssite.server import generated_page, serve

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--prerender", type=int, default=0, metavar="N")
args = parser.parse_args()
server = serve(args.port)
port = server.server_address[1]
for n in range(args.prerender):
    generated_page(n, f"http://127.0.0.1:{port}")
print(port, flush=True)
server.serve_forever()
