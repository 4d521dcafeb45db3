#!/usr/bin/python3
"""A local Web Push service for the tests: it plays the browsers' push services.

Usage: pushreceiver.py --dir DIR --subscriptions N [--gone K]
Listens on a free loopback port and makes N subscriptions, as a browser would, each with a key
pair and auth secret of its own; the first K answer 410 Gone (an expired subscription), the
others 201. Writes them to DIR/subscriptions.json ([{endpoint, keys: {p256dh, auth}}]), then
prints "ready". Every message it takes is checked the way a push service and a browser would:
the VAPID JWT (RFC 8292) verified with the key in the Authorization header and its audience
matched with the endpoint's origin, the body decrypted (RFC 8291 aes128gcm) with the
subscription's private key. Each is written to DIR/messages/NNNN.json with what arrived:
{subscription, status, ttl, topic, urgency, vapid_ok, vapid_error, message}.
"""
import argparse
import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hkdf(salt, ikm, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def raw_public(key):
    return key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def decrypt(body, private_key, auth):
    salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    sender_public = body[21:21 + idlen]
    record = body[21 + idlen:]
    if len(record) > rs:
        raise ValueError("record longer than rs")
    sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_public)
    secret = private_key.exchange(ec.ECDH(), sender)
    ikm = hkdf(auth, secret, b"WebPush: info\x00" + raw_public(private_key) + sender_public, 32)
    cek = hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    plain = AESGCM(cek).decrypt(nonce, record, None).rstrip(b"\x00")
    if not plain.endswith(b"\x02"):
        raise ValueError("not the last record")
    return plain[:-1]


def check_vapid(header, origin):
    """None when the Authorization header is a valid VAPID token for `origin`, else why not."""
    if not header.startswith("vapid "):
        return "not a vapid authorization"
    parts = dict(p.strip().split("=", 1) for p in header[6:].split(","))
    token, key = parts.get("t", ""), parts.get("k", "")
    signing_input, _, signature = token.rpartition(".")
    header_b64, _, claims_b64 = signing_input.partition(".")
    if json.loads(unb64url(header_b64)).get("alg") != "ES256":
        return "not ES256"
    raw = unb64url(signature)
    if len(raw) != 64:
        return "signature is not 64 bytes"
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "bad signature"
    claims = json.loads(unb64url(claims_b64))
    if claims.get("aud") != origin:
        return "audience %r is not %r" % (claims.get("aud"), origin)
    if not (time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600):
        return "expiry out of range"
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        return "no subject"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--subscriptions", type=int, default=1)
    parser.add_argument("--gone", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(os.path.join(args.dir, "messages"), exist_ok=True)
    subscriptions = {}
    lock = threading.Lock()
    counter = [0]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *unused):
            pass

        def do_POST(self):
            name = self.path.rsplit("/", 1)[-1]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            subscription = subscriptions.get(name)
            if subscription is None:
                self.send_response(404)
                self.end_headers()
                return
            origin = "http://127.0.0.1:%d" % self.server.server_address[1]
            record = {
                "subscription": name,
                "status": subscription["status"],
                "ttl": self.headers.get("TTL"),
                "topic": self.headers.get("Topic"),
                "urgency": self.headers.get("Urgency"),
                "encoding": self.headers.get("Content-Encoding"),
            }
            error = check_vapid(self.headers.get("Authorization", ""), origin)
            record["vapid_ok"] = error is None
            record["vapid_error"] = error
            try:
                record["message"] = json.loads(decrypt(body, subscription["key"], subscription["auth"]))
            except Exception as failure:  # what a browser would drop
                record["message"] = None
                record["decrypt_error"] = repr(failure)
            with lock:
                counter[0] += 1
                path = os.path.join(args.dir, "messages", "%04d.json" % counter[0])
            with open(path + ".tmp", "w") as out:
                json.dump(record, out)
            os.rename(path + ".tmp", path)
            self.send_response(subscription["status"])
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    listing = []
    for index in range(args.subscriptions):
        name = "sub%d" % index
        key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        subscriptions[name] = {"key": key, "auth": auth,
                               "status": 410 if index < args.gone else 201}
        listing.append({"endpoint": "http://127.0.0.1:%d/push/%s" % (port, name),
                        "keys": {"p256dh": b64url(raw_public(key)), "auth": b64url(auth)}})
    with open(os.path.join(args.dir, "subscriptions.json"), "w") as out:
        json.dump(listing, out)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
