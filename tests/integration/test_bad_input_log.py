"""Hostile load leaves the operator's disk alone: warnings about a client's bad input are
rate-limited per client address (at most 10 lines a minute per kind of warning), and one line
then reports how many were suppressed. (From the outside, 600,000 connections of mutated
frames in 5 minutes used to write 510,000 warning lines.) Paddock's own behaviour: ZooKeeper
logs every one, so this runs against paddockd only."""

import os
import re
import socket
import struct
import time
import unittest

from harness import servers
from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until

LINES_PER_MINUTE = 10


@unittest.skipIf(servers.target() != "paddock", "Paddock's own log policy")
class BadInputLog(ServerTestCase):
    def log_text(self):
        with open(self.server.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def hostile_connections(self, n, payload, source="127.0.0.1"):
        """n connections from `source`, each sending `payload` and waiting for the close."""
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(10)
            s.bind((source, 0))
            s.connect(self.server.address)
            try:
                s.sendall(payload)
                while s.recv(4096):
                    pass
            except OSError:
                pass
            s.close()

    def count(self, text, pattern, peer):
        return len(re.findall(r"%s.*peer=%s\b" % (pattern, re.escape(peer)), text))

    def assert_healthy(self):
        w = self.wire()
        self.assertEqual(w.exists("/")[0], 0)

    def test_hundreds_of_bad_connections_write_a_bounded_number_of_lines(self):
        # One address per kind of bad input: the budget is per peer (all its warnings
        # together), so one peer's 300 bad handshakes would hide its later bad headers.
        cases = (("127.0.0.2", z.frame(b"\x01\x02\x03"), "bad_connect_request"),
                 ("127.0.0.4", struct.pack(">i", -7) + b"abcd", "frame length out of range"),
                 ("127.0.0.5", z.frame(z.connect_request()) + z.frame(b"\x01"),
                  "bad_request_header"),
                 # An AuthPacket (xid -4, op 100) with a scheme no provider has.
                 ("127.0.0.6", z.frame(z.connect_request()) + z.frame(
                     z.W().i32(-4).i32(100).i32(0).string("bogus").buf(b"x").bytes()),
                  "event=auth_failed"))
        for peer, payload, _ in cases:
            self.hostile_connections(300, payload, peer)
        self.assert_healthy()
        text = wait_until(
            lambda: (lambda t: t if self.count(t, "bad_request_header", "127.0.0.5") >= 1
                     else None)(self.log_text()), what="the first bad_request_header line")
        for peer, _, pattern in cases:
            n = self.count(text, pattern, peer)
            self.assertGreaterEqual(n, 1, pattern)  # the warnings are still there...
            self.assertLessEqual(n, LINES_PER_MINUTE, pattern)  # ...but not one per connection
            about_peer = text.count("peer=%s " % peer) + text.count("peer=%s\n" % peer)
            self.assertLessEqual(about_peer, LINES_PER_MINUTE + 1,
                                 "%d lines about %s after 300 bad connections" % (about_peer, peer))

    def test_the_suppressed_count_is_reported_once_the_minute_is_over(self):
        peer = "127.0.0.3"
        self.hostile_connections(LINES_PER_MINUTE + 25, z.frame(b"\x09"), peer)
        expected = "event=bad_input_warnings_suppressed peer=%s count=25 " % peer
        # The count is reported with the next line after the interval, from this peer or any
        # other: another address keeps sending a bad handshake until it shows up.
        def reported():
            self.hostile_connections(1, z.frame(b"\x09"), "127.0.0.4")
            return expected in self.log_text()
        # The limiter looks for finished intervals every quarter interval: 75 s at most.
        wait_until(reported, timeout=150, interval=2.0, what=expected)
        self.assert_healthy()


if __name__ == "__main__":
    main()
