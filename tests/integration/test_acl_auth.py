"""ACLs and authentication: digest auth, NoAuth denial per permission, the auth and ip
schemes, unknown auth schemes, exists needing no permission."""

import base64
import hashlib

from kazoo.exceptions import NoAuthError
from kazoo.security import make_acl, make_digest_acl, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE

from harness import zkwire as z
from harness.base import ServerTestCase, main


def digest_id(user, password):
    h = hashlib.sha1(("%s:%s" % (user, password)).encode()).digest()
    return "%s:%s" % (user, base64.b64encode(h).decode())


class Acl(ServerTestCase):
    def test_digest_acl_denies_others_and_allows_the_owner(self):
        alice = self.kazoo(auth=[("digest", "alice:pw")])
        anon = self.kazoo()
        wrong = self.kazoo(auth=[("digest", "alice:nope")])
        p = self.unique()
        alice.create(p, b"secret", acl=[make_digest_acl("alice", "pw", all=True)])
        for zk in (anon, wrong):
            with self.assertRaises(NoAuthError):
                zk.get(p)
            with self.assertRaises(NoAuthError):
                zk.set(p, b"x")
            with self.assertRaises(NoAuthError):
                zk.create(p + "/c")
            with self.assertRaises(NoAuthError):
                zk.get_children(p)
            self.assertIsNotNone(zk.exists(p))  # exists checks no permission
        self.assertEqual(alice.get(p)[0], b"secret")
        late = self.kazoo()
        late.add_auth("digest", "alice:pw")
        self.assertEqual(late.get(p)[0], b"secret")

    def test_auth_scheme_expands_to_the_sessions_digest_ids(self):
        alice = self.kazoo(auth=[("digest", "alice:pw")])
        p = self.unique()
        alice.create(p, acl=[make_acl("auth", "", all=True)])
        acls, _ = alice.get_acls(p)
        self.assertEqual(len(acls), 1)
        self.assertEqual((acls[0].perms, acls[0].id.scheme, acls[0].id.id),
                         (31, "digest", digest_id("alice", "pw")))

    def test_each_permission_is_checked(self):
        admin = self.kazoo(auth=[("digest", "root:pw")])
        anon = self.kazoo()
        p = self.unique()
        owner = make_digest_acl("root", "pw", all=True)
        admin.create(p, acl=[owner, make_acl("world", "anyone", read=True)])
        admin.create(p + "/c")
        self.assertEqual(anon.get(p)[0], b"")
        self.assertEqual(anon.get_children(p), ["c"])
        with self.assertRaises(NoAuthError):
            anon.create(p + "/d")         # CREATE
        with self.assertRaises(NoAuthError):
            anon.delete(p + "/c")         # DELETE on the parent
        with self.assertRaises(NoAuthError):
            anon.set(p, b"x")             # WRITE
        with self.assertRaises(NoAuthError):
            anon.set_acls(p, OPEN_ACL_UNSAFE)  # ADMIN
        admin.set_acls(p, [owner, make_acl("world", "anyone", create=True, delete=True)])
        anon.create(p + "/d")
        anon.delete(p + "/c")
        with self.assertRaises(NoAuthError):
            anon.get(p)                   # READ
        self.assertEqual(sorted(admin.get_children(p)), ["d"])

    def test_delete_needs_no_permission_on_the_node_itself(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p)
        zk.create(p + "/locked", acl=[make_digest_acl("x", "y", all=True)])
        zk.delete(p + "/locked")
        self.assertIsNone(zk.exists(p + "/locked"))

    def test_ip_scheme(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p, b"a", acl=[make_acl("ip", "127.0.0.1", all=True)])
        zk.create(p + "net", b"b", acl=[make_acl("ip", "127.0.0.0/8", read=True)])
        zk.create(p + "far", b"c", acl=[make_acl("ip", "10.1.2.3", all=True)])
        self.assertEqual(zk.get(p)[0], b"a")
        self.assertEqual(zk.get(p + "net")[0], b"b")
        with self.assertRaises(NoAuthError):
            zk.get(p + "far")

    def test_multi_with_a_denied_op_applies_nothing(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p, acl=READ_ACL_UNSAFE)
        zk.create(p + "x")
        w = self.wire()
        err, res = w.multi([("delete", z.rec_delete(p + "x")),
                            ("create", z.rec_create(p + "/c"))])
        self.assertEqual(err, 0)
        self.assertEqual(res, [(-1, 0, None), (-1, z.NOAUTH, None)])
        self.assertIsNotNone(zk.exists(p + "x"))

    def test_unknown_auth_scheme_fails_and_closes_the_connection(self):
        w = self.wire()
        self.assertEqual(w.add_auth("nosuchscheme", b"x")[0], z.AUTHFAILED)
        with self.assertRaises(z.ConnectionClosed):
            w.recv_packet(5)

    def test_raw_auth_packet_then_auth_acl_on_the_wire(self):
        w = self.wire()
        err, _ = w.add_auth("digest", b"alice:pw")
        self.assertEqual(err, 0)
        p = self.unique()
        self.assertEqual(w.create(p, acl=[(31, "auth", "")]), (0, p))
        err, (acl, _) = w.get_acl(p)
        self.assertEqual(acl, [(31, "digest", digest_id("alice", "pw"))])


if __name__ == "__main__":
    main()
