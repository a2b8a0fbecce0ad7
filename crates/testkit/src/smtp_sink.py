"""A real SMTP server for the tests (Debian's python3-aiosmtpd): listens on 127.0.0.1:PORT,
requires AUTH PLAIN/LOGIN with the given login and password when one is given, and saves each
message as OUT/<n>.eml (written to a temporary name, then renamed, so a reader never sees half
of one) with OUT/<n>.rcpt naming its recipients. With --delay-first S the first RCPT TO is
answered only after S seconds (a slow server: a sender stopped meanwhile has handed over no
message). Prints "ready" when it accepts connections."""

import argparse
import asyncio
import itertools
import os
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saver:
    def __init__(self, out, delay_first):
        self.out = out
        self.delay_first = delay_first
        self.counter = itertools.count(1)
        self.recipients = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if next(self.recipients) == 1 and self.delay_first > 0:
            await asyncio.sleep(self.delay_first)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        base = os.path.join(self.out, "%04d" % n)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content or b"")
        with open(base + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        os.rename(base + ".tmp", base + ".eml")
        return "250 OK saved %d" % n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--login", default="")
    p.add_argument("--password", default="")
    p.add_argument("--delay-first", type=float, default=0.0)
    a = p.parse_args()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == a.login.encode() and auth_data.password == a.password.encode()
        return AuthResult(success=ok, handled=False)

    kwargs = {}
    if a.login:
        kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    controller = Controller(Saver(a.out, a.delay_first), hostname="127.0.0.1", port=a.port, **kwargs)
    controller.start()
    print("ready", flush=True)
    try:
        # Until the test kills it, or its standard input closes (the test process ended).
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
