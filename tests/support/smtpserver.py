#!/usr/bin/python3
"""A real SMTP server for the tests (aiosmtpd): stores what it accepts in a Maildir.

Usage: smtpserver.py --port N --maildir DIR [--mode plain|starttls|smtps] [--cert C --key K]
                     [--user U --password P] [--data-delay SECONDS]
Prints "ready" on stdout once it listens. Recipients script failures: perm-fail... gets
550, temp-fail... gets 451. With --user, AUTH is required (after STARTTLS when TLS is on).
"""
import argparse
import asyncio
import mailbox
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--mode", default="plain", choices=["plain", "starttls", "smtps"])
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--data-delay", type=float, default=0.0)
    args = parser.parse_args()
    box = mailbox.Maildir(args.maildir)  # creates cur/ new/ tmp/

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("perm-fail"):
                return "550 5.1.1 No such user"
            if address.startswith("temp-fail"):
                return "451 4.3.0 Try again later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            if args.data_delay:
                await asyncio.sleep(args.data_delay)
            # The envelope as headers, as aiosmtpd's own Mailbox handler adds them.
            envelope_headers = "X-MailFrom: %s\r\nX-RcptTo: %s\r\n" % (
                envelope.mail_from, ", ".join(envelope.rcpt_tos))
            box.add(envelope_headers.encode() + envelope.original_content)
            return "250 2.0.0 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(), auth_data.password.decode()) == (args.user, args.password)
        # handled=False: the server itself answers 535 (True would mean "already answered").
        return AuthResult(success=ok, handled=False)

    context = None
    if args.mode != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    options = dict(hostname="127.0.0.1", port=args.port, server_hostname="localhost")
    if args.mode == "starttls":
        options.update(tls_context=context, require_starttls=True)
    elif args.mode == "smtps":
        options.update(ssl_context=context)
    if args.user:
        options.update(authenticator=authenticator, auth_required=True,
                       auth_require_tls=args.mode != "plain")
    controller = Controller(Handler(), **options)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
