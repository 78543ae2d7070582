#!/usr/bin/env python3
"""A dataset mirror on 127.0.0.1 for AEKit's download tests, serving FOLDER's files.

    mirror_server.py FOLDER       prints the port, then serves until killed

Paths: /good/NAME serves the file, honouring `Range: bytes=N-` with 206; /missing/NAME
answers 404; /corrupt/NAME serves the file with one byte flipped; /cut/NAME announces the
whole length but closes the connection after half of it. Every request is logged to standard
error as `METHOD PATH RANGE`, so a test can see that a resume asked for a range.
"""
import http.server
import os
import sys


class Mirror(http.server.BaseHTTPRequestHandler):
    folder = "."

    def log_message(self, *args):
        pass

    def do_GET(self):
        sys.stderr.write(f"GET {self.path} {self.headers.get('Range', '-')}\n")
        sys.stderr.flush()
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] == "missing" or not os.path.isfile(os.path.join(self.folder, parts[1])):
            self.send_error(404)
            return
        mode, name = parts
        with open(os.path.join(self.folder, name), "rb") as f:
            body = bytearray(f.read())
        if mode == "corrupt":
            body[len(body) // 2] ^= 0xFF
        start = 0
        requested = self.headers.get("Range", "")
        if mode == "good" and requested.startswith("bytes=") and requested.endswith("-"):
            start = int(requested[len("bytes="):-1])
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if mode == "cut":
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body[start:])


def main():
    Mirror.folder = sys.argv[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
