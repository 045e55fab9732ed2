"""Hostile or broken input on raw sockets: garbage, truncated frames, negative and oversized
lengths, requests before the handshake, invalid paths, unknown op codes, too many
connections from one address. The server closes what it must, answers what it can, and
another client keeps working after each."""

import socket
import struct
import time

from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until


class BadInput(ServerTestCase):
    def assert_server_healthy(self):
        w = self.wire()
        p = self.unique("healthy")
        self.assertEqual(w.create(p, b"ok"), (0, p))
        self.assertEqual(w.get_data(p)[1][0], b"ok")
        self.assertEqual(self.server.four_letter("ruok"), "imok")

    def raw(self, handshake):
        c = self.wire(handshake=handshake)
        return c

    def assert_closed(self, c, timeout=10):
        with self.assertRaises((z.ConnectionClosed, ConnectionResetError)):
            while True:
                c.recv_packet(timeout)

    def test_garbage_after_handshake_closes_the_connection(self):
        c = self.raw(True)
        c.send_raw(b"\xde\xad\xbe\xef" * 64)
        self.assert_closed(c)
        self.assert_server_healthy()

    def test_garbage_instead_of_a_handshake_closes_the_connection(self):
        c = self.raw(False)
        c.send_raw(z.frame(b"\x01\x02\x03\x04\x05\x06\x07\x08"))
        self.assert_closed(c)
        self.assert_server_healthy()

    def test_truncated_frame_then_close(self):
        c = self.raw(True)
        c.send_raw(struct.pack(">i", 100) + b"\0\0\0\1\0\0\0\3" + b"/abc")
        c.close()
        c2 = self.raw(False)
        c2.send_raw(struct.pack(">i", 44)[:3])
        c2.close()
        self.assert_server_healthy()

    def test_truncated_record_in_a_whole_frame_is_a_marshalling_error(self):
        c = self.raw(True)
        r = c.call("create", b"\0\0\0\5/a")  # the path claims 5 bytes, 2 follow
        self.assertEqual(r.err, z.MARSHALLINGERROR)
        self.assertEqual(c.exists("/")[0], 0)
        self.assert_server_healthy()

    def test_negative_length_closes_the_connection(self):
        for handshake in (True, False):
            c = self.raw(handshake)
            c.send_raw(struct.pack(">i", -5) + b"abcdefgh")
            self.assert_closed(c)
        self.assert_server_healthy()

    def test_length_over_one_mib_closes_the_connection(self):
        for handshake in (True, False):
            c = self.raw(handshake)
            c.send_raw(struct.pack(">i", 2 * 1024 * 1024) + b"\0" * 1024)
            self.assert_closed(c)
        self.assert_server_healthy()

    def test_data_over_one_mib_in_a_create_closes_the_connection(self):
        c = self.raw(True)
        try:
            c.send(z.OP["create"], z.rec_create(self.unique(), b"x" * (1024 * 1024 + 10)))
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assert_closed(c)
        self.assert_server_healthy()

    def test_request_before_handshake_closes_the_connection(self):
        c = self.raw(False)
        c.send_raw(z.frame(z.W().i32(1).i32(z.OP["exists"]).string("/").bool(False).bytes()))
        self.assert_closed(c)
        self.assert_server_healthy()

    def test_invalid_path_gets_bad_arguments_and_the_connection_stays(self):
        c = self.raw(True)
        self.assertEqual(c.create("no-slash")[0], z.BADARGUMENTS)
        self.assertEqual(c.create("/a\0b")[0], z.BADARGUMENTS)
        self.assertEqual(c.delete("no-slash")[0], z.BADARGUMENTS)
        self.assertEqual(c.set_data("no-slash", b"")[0], z.BADARGUMENTS)
        # reads of a malformed path simply find no node
        self.assertEqual(c.get_data("no-slash")[0], z.NONODE)
        self.assertEqual(c.exists("/")[0], 0)
        self.assert_server_healthy()

    def test_unknown_op_code_gets_unimplemented(self):
        # ZooKeeper 3.8 answers -6 and then closes the connection; Paddock answers the same
        # and keeps the connection, as its spec requires (a newer client's unknown op should
        # not cost it its connection).
        from harness.servers import target
        for op in (99, 0, 200, -50):
            c = self.raw(True)
            r = c.call(op, b"whatever")
            self.assertEqual((r.xid, r.err, r.zxid), (1, z.UNIMPLEMENTED, -1))
            if target() == "zookeeper":
                self.assert_closed(c)
            else:
                self.assertEqual(c.exists("/")[0], 0)
        self.assert_server_healthy()

    def test_reconfig_on_standalone_is_disabled(self):
        c = self.raw(True)
        r = c.call("reconfig", z.W().string("").string("").string("").i64(-1).bytes())
        self.assertEqual(r.err, z.RECONFIGDISABLED)
        self.assertEqual(c.exists("/")[0], 0)

    def test_many_malformed_connections_in_a_row(self):
        payloads = [b"", b"\0", b"\xff\xff\xff\xff", b"\0\0\0\x04abcd", b"\x7f\xff\xff\xff",
                    z.frame(b"\0" * 40) + b"\0" * 7]
        for i in range(30):
            with socket.create_connection(self.server.address, timeout=5) as s:
                s.sendall(payloads[i % len(payloads)])
        self.assert_server_healthy()


class ConnectionLimit(ServerTestCase):
    server_cfg = {"maxClientCnxns": 4}

    def rejected(self):
        return _mntr_value(self.server, "zk_connection_rejected")

    def test_connection_over_the_per_address_limit_is_closed(self):
        rejected_before = self.rejected()
        held = [z.WireClient(self.server.address) for _ in range(4)]
        try:
            for c in held:
                self.assertEqual(c.exists("/")[0], 0)
            with self.assertRaises((z.ConnectionClosed, OSError)):
                z.WireClient(self.server.address, io_timeout=5).exists("/")
            for c in held:
                self.assertEqual(c.exists("/")[0], 0)  # the others are untouched
            # mntr counts it as ZooKeeper's connection_rejected. (mntr's own connection would
            # be the fifth from this address, refused too: free a slot first.)
            held.pop().close_session()
            wait_until(lambda: self.rejected() is not None
                       and self.rejected() >= rejected_before + 1,
                       10, what="connection_rejected counted")
        finally:
            for c in held:
                c.close_session()
        w = wait_until(lambda: _try_connect(self.server.address), 10, what="a free slot")
        self.assertEqual(w.exists("/")[0], 0)
        w.close()


def _mntr_value(server, key):
    try:
        text = server.four_letter("mntr")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(key + "\t"):
            return int(float(line.split("\t", 1)[1]))
    return None


def _try_connect(address):
    try:
        c = z.WireClient(address, io_timeout=3)
        c.exists("/")
        return c
    except (z.ConnectionClosed, OSError):
        return None


if __name__ == "__main__":
    main()
