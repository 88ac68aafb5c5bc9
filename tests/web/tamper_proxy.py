#!/usr/bin/env python3
"""A forging proxy for the web viewer's browser test (tests/web/).

Forwards GET requests to UPSTREAM (http://HOST:PORT) and forges one kind of
response on the way back:
  tile        flips one bit of the middle byte of every /tile/ response
              (hash tiles and entry bundles)
  checkpoint  replaces the first character of the checkpoint's root line
Prints "listening on http://127.0.0.1:PORT" once it accepts connections.
Usage: tamper_proxy.py UPSTREAM tile|checkpoint
"""
import http.server
import sys
import urllib.error
import urllib.request

UPSTREAM, MODE = sys.argv[1], sys.argv[2]
assert MODE in ("tile", "checkpoint"), MODE
PASSED = ("content-type", "cache-control", "content-security-policy",
          "x-content-type-options", "referrer-policy")


def forge(path, body):
    if MODE == "tile" and path.startswith("/tile/") and body:
        body = bytearray(body)
        body[len(body) // 2] ^= 0x01
        return bytes(body)
    if MODE == "checkpoint" and path == "/checkpoint":
        lines = body.decode("utf-8").split("\n")
        lines[2] = ("B" if lines[2][0] != "B" else "C") + lines[2][1:]
        return "\n".join(lines).encode("utf-8")
    return body


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        try:
            with urllib.request.urlopen(UPSTREAM + self.path) as res:
                status, headers, body = res.status, res.headers, res.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read()
        body = forge(self.path.split("?")[0], body)
        self.send_response(status)
        for name in PASSED:
            if headers.get(name):
                self.send_header(name, headers[name])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
server.serve_forever()
