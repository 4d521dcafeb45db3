#!/usr/bin/python3
"""A fake SMS provider for the tests, shaped like the well-known SMS APIs.

Usage: smsprovider.py --dir DIR --account A --token T
Listens on a free loopback port and prints "ready PORT". Takes a form POST (To, From, Body)
with HTTP basic authentication: 401 for wrong credentials; 400 for numbers starting +1555000
(a number it cannot reach: permanent); 503 for numbers starting +1555999 (temporary); 201
with {"sid"} otherwise. Every request it takes is written to DIR/NNNN.json: {to, from, body,
status, authorized}.
"""
import argparse
import base64
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    expected = "Basic " + base64.b64encode(("%s:%s" % (args.account, args.token)).encode()).decode()
    lock = threading.Lock()
    counter = [0]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *unused):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            to = form.get("To", [""])[0]
            authorized = self.headers.get("Authorization") == expected
            if not authorized:
                status = 401
            elif to.startswith("+1555000"):
                status = 400
            elif to.startswith("+1555999"):
                status = 503
            else:
                status = 201
            with lock:
                counter[0] += 1
                number = counter[0]
            path = os.path.join(args.dir, "%04d.json" % number)
            with open(path + ".tmp", "w") as out:
                json.dump({"to": to, "from": form.get("From", [""])[0],
                           "body": form.get("Body", [""])[0], "status": status,
                           "authorized": authorized}, out)
            os.rename(path + ".tmp", path)
            answer = json.dumps({"sid": "SM%032d" % number} if status == 201
                                else {"message": "refused", "status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("ready %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
