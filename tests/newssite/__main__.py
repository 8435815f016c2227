"""`python -m tests.newssite`: serve the site and print its port on the first line."""

import sys

from tests.newssite.server import serve

server = serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
print(server.server_address[1], flush=True)
server.serve_forever()
