#!/usr/bin/env python3
"""A real SMTP server for charte's mail tests (aiosmtpd, TCP loopback).

    python3 smtp_server.py --maildir DIR [--port 0] [--tls-cert PEM --tls-key KEY]
        [--implicit-tls] [--user NAME --password SECRET]
        [--max-messages-per-connection N]

Prints "LISTENING <port>" on stdout once it accepts connections (with
--port 0, the default, the system picks a free port), and stops when its
standard input closes (so it never outlives the test that started it) or on
SIGTERM.

- TLS: with --tls-cert/--tls-key, STARTTLS is offered and required before
  MAIL; with --implicit-tls as well, TLS starts at the first byte instead.
- AUTH PLAIN and LOGIN, required when --user is given (after STARTTLS).
- Answers scripted by the recipient's local part:
    bounce*      550 5.1.1 (permanent)
    tempfail*    451 4.3.0 the first time that address is seen, then 250
    alwaysfail*  451 4.3.0 every time
    hold*        451 4.3.0 while the file DIR/hold exists (a test creates
                 it to make a server refuse for a while, then removes it)
- --max-messages-per-connection N: the server hangs up after the Nth
  message on a connection (as servers with such a limit do).
- Each message accepted: DIR/NNNNNN.eml (the bytes received) and
  DIR/NNNNNN.json ({"mail_from", "rcpt_tos", "connection"}), written
  before the 250 reply, each file whole (temp file + rename).
- DIR/server.log: one line per event: "CONNECT <n>", "AUTH <n> ok|fail",
  "RCPT <n> <address> <code>", "MESSAGE <n> <file>", "CLOSE <n>", so a
  test can count TCP connections.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class State:
    def __init__(self, maildir):
        self.maildir = maildir
        self.connections = 0
        self.messages = 0
        self.seen_tempfail = set()
        self.log_file = open(os.path.join(maildir, "server.log"), "a", encoding="utf-8")

    def log(self, line):
        self.log_file.write(line + "\n")
        self.log_file.flush()


def write_whole(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class Handler:
    def __init__(self, state):
        self.state = state

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("bounce"):
            code = "550 5.1.1 <%s>: recipient address rejected: user unknown" % address
        elif local.startswith("alwaysfail"):
            code = "451 4.3.0 <%s>: temporary failure, try again" % address
        elif local.startswith("hold") and os.path.exists(os.path.join(self.state.maildir, "hold")):
            code = "451 4.3.0 <%s>: mailbox busy, try again later" % address
        elif local.startswith("tempfail") and address.lower() not in self.state.seen_tempfail:
            self.state.seen_tempfail.add(address.lower())
            code = "451 4.3.0 <%s>: temporary failure, try again" % address
        else:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
            code = "250 OK"
        self.state.log("RCPT %d %s %s" % (server.conn_id, address, code[:3]))
        return code

    async def handle_DATA(self, server, session, envelope):
        self.state.messages += 1
        stem = os.path.join(self.state.maildir, "%06d" % self.state.messages)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        write_whole(stem + ".eml", content)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "connection": server.conn_id,
        }
        write_whole(stem + ".json", json.dumps(meta).encode("utf-8"))
        self.state.log("MESSAGE %d %s" % (server.conn_id, os.path.basename(stem) + ".eml"))
        server.messages_here += 1
        return "250 2.0.0 Message accepted for delivery"


class ScriptedSMTP(SMTP):
    """One instance per TCP connection (the factory is called per accept)."""

    def __init__(self, handler, state, conn_id, max_per_conn, **kwargs):
        super().__init__(handler, **kwargs)
        self.state = state
        self.conn_id = conn_id
        self.max_per_conn = max_per_conn
        self.messages_here = 0

    async def smtp_DATA(self, arg):
        await super().smtp_DATA(arg)
        if self.max_per_conn and self.messages_here >= self.max_per_conn:
            self.state.log("HANGUP %d" % self.conn_id)
            if self.transport is not None:
                self.transport.close()

    def connection_lost(self, error):
        self.state.log("CLOSE %d" % self.conn_id)
        super().connection_lost(error)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--max-messages-per-connection", type=int, default=0)
    args = parser.parse_args()

    os.makedirs(args.maildir, exist_ok=True)
    state = State(args.maildir)

    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)
    implicit = bool(args.implicit_tls and tls_context)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode("utf-8", "replace") == args.user
            and auth_data.password.decode("utf-8", "replace") == args.password
        )
        state.log("AUTH %d %s" % (server.conn_id, "ok" if ok else "fail"))
        return AuthResult(success=ok, handled=False)

    handler = Handler(state)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        state.connections += 1
        state.log("CONNECT %d" % state.connections)
        return ScriptedSMTP(
            handler,
            state,
            state.connections,
            args.max_messages_per_connection,
            hostname="localhost",
            tls_context=None if implicit else tls_context,
            require_starttls=bool(tls_context) and not implicit,
            auth_required=bool(args.user),
            # Implicit TLS is invisible to aiosmtpd's check; the link is
            # encrypted all the same.
            auth_require_tls=bool(tls_context) and not implicit,
            authenticator=authenticator if args.user else None,
            enable_SMTPUTF8=True,
            loop=loop,
        )

    server = loop.run_until_complete(
        loop.create_server(
            factory, host=args.host, port=args.port, ssl=tls_context if implicit else None
        )
    )
    port = server.sockets[0].getsockname()[1]
    print("LISTENING %d" % port, flush=True)

    def stop(*_):
        loop.call_soon_threadsafe(loop.stop)

    def watch_stdin():
        try:
            sys.stdin.buffer.read()
        finally:
            stop()

    threading.Thread(target=watch_stdin, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        state.log_file.close()


if __name__ == "__main__":
    main()
