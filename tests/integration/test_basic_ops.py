"""Every client op through kazoo (and the raw wire client where kazoo 2.8 has no API):
create in all modes, create2/Stat, delete/get/set with versions, exists, children (with
data), ACLs, sync, multi/transaction, check, sequential naming, getAllChildrenNumber,
getEphemerals, whoAmI, multiRead, TTL and container nodes."""

import time
import unittest

from kazoo.exceptions import (BadArgumentsError, BadVersionError, NoChildrenForEphemeralsError,
                              NodeExistsError, NoNodeError, NotEmptyError, RolledBackError,
                              RuntimeInconsistency, NoAuthError,
                              InvalidACLError)
from kazoo.security import make_acl, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE

from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until


class CreateModes(ServerTestCase):
    server_props = {"zookeeper.extendedTypesEnabled": "true"}

    def test_persistent_create_returns_path_and_node_holds_data(self):
        zk = self.kazoo()
        p = self.unique()
        self.assertEqual(zk.create(p, b"hello"), p)
        data, stat = zk.get(p)
        self.assertEqual(data, b"hello")
        self.assertEqual(stat.version, 0)
        self.assertEqual(stat.dataLength, 5)
        self.assertEqual(stat.ephemeralOwner, 0)
        self.assertEqual(stat.czxid, stat.mzxid)
        self.assertEqual(stat.czxid, stat.pzxid)

    def test_create_existing_node_fails_with_node_exists(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p)
        with self.assertRaises(NodeExistsError):
            zk.create(p)

    def test_create_without_parent_fails_with_no_node(self):
        zk = self.kazoo()
        with self.assertRaises(NoNodeError):
            zk.create(self.unique() + "/child")

    def test_makepath_creates_parents(self):
        zk = self.kazoo()
        p = self.unique() + "/a/b/c"
        zk.create(p, b"x", makepath=True)
        self.assertEqual(zk.get(p)[0], b"x")

    def test_ephemeral_node_has_session_as_owner(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p, ephemeral=True)
        stat = zk.exists(p)
        self.assertEqual(stat.ephemeralOwner, zk.client_id[0])

    def test_ephemeral_node_cannot_have_children(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p, ephemeral=True)
        with self.assertRaises(NoChildrenForEphemeralsError):
            zk.create(p + "/c")

    def test_sequential_names_count_all_child_creates(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p)
        self.assertEqual(zk.create(p + "/n-", sequence=True), p + "/n-0000000000")
        zk.create(p + "/plain")  # a non-sequential create advances the counter too
        self.assertEqual(zk.create(p + "/n-", sequence=True), p + "/n-0000000002")
        zk.delete(p + "/n-0000000000")
        self.assertEqual(zk.create(p + "/n-", sequence=True, ephemeral=True),
                         p + "/n-0000000003")
        self.assertEqual(zk.create(p + "/", sequence=True), p + "/0000000004")
        self.assertEqual(sorted(zk.get_children(p)),
                         ["0000000004", "n-0000000002", "n-0000000003", "plain"])

    def test_failed_sequential_create_does_not_advance_counter(self):
        w = self.wire()
        p = self.unique()
        self.assertEqual(w.create(p), (0, p))
        self.assertEqual(w.create(p + "/e", flags=z.EPHEMERAL), (0, p + "/e"))
        err, _ = w.create(p + "/e/x-", flags=z.PERSISTENT_SEQUENTIAL)
        self.assertEqual(err, z.NOCHILDRENFOREPHEMERALS)
        self.assertEqual(w.create(p + "/s-", flags=z.PERSISTENT_SEQUENTIAL),
                         (0, p + "/s-0000000001"))

    def test_create2_returns_stat_of_new_node(self):
        w = self.wire()
        p = self.unique()
        err, (path, stat) = w.create2(p, b"abc")
        self.assertEqual((err, path), (0, p))
        self.assertEqual(stat.dataLength, 3)
        self.assertEqual(stat.version, 0)
        self.assertEqual(stat.numChildren, 0)
        self.assertEqual(stat.czxid, stat.mzxid)
        self.assertEqual(stat.ctime, stat.mtime)
        self.assertEqual(w.exists(p), (0, stat))
        err, (path, stat) = w.create2(p + "/s", flags=z.EPHEMERAL_SEQUENTIAL)
        self.assertEqual(path, p + "/s0000000000")
        self.assertEqual(stat.ephemeralOwner, w.session_id)

    def test_create_updates_parent_cversion_pzxid_and_numchildren(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        _, (_, child) = w.create2(p + "/c")
        err, parent = w.exists(p)
        self.assertEqual(parent.cversion, 1)
        self.assertEqual(parent.numChildren, 1)
        self.assertEqual(parent.pzxid, child.czxid)
        self.assertEqual(parent.version, 0)
        w.delete(p + "/c")
        _, parent2 = w.exists(p)
        self.assertEqual(parent2.cversion, 2)
        self.assertEqual(parent2.numChildren, 0)
        self.assertGreater(parent2.pzxid, child.czxid)
        self.assertEqual(parent2.mzxid, parent.mzxid)

    def test_invalid_paths_fail_with_bad_arguments(self):
        w = self.wire()
        for bad in ("noslash", "/trailing/", "/a//b", "/a/./b", "/a/../b", "/nul\0x"):
            err, _ = w.create(bad)
            self.assertIn(err, (z.BADARGUMENTS, z.NONODE), bad)
        self.assertEqual(w.create("noslash")[0], z.BADARGUMENTS)
        self.assertEqual(w.create("/nul\0x")[0], z.BADARGUMENTS)
        self.assertEqual(w.delete("noslash")[0], z.BADARGUMENTS)
        self.assertEqual(w.set_data("noslash", b"")[0], z.BADARGUMENTS)
        self.assertEqual(w.exists("/")[0], 0)  # the connection stays

    def test_create_with_empty_acl_fails_with_invalid_acl(self):
        w = self.wire()
        self.assertEqual(w.create(self.unique(), acl=[])[0], z.INVALIDACL)

    def test_create_auth_acl_without_auth_fails_with_invalid_acl(self):
        zk = self.kazoo()
        with self.assertRaises(InvalidACLError):
            zk.create(self.unique(), acl=[make_acl("auth", "", all=True)])

    def test_ttl_nodes_need_positive_ttl_and_report_no_owner(self):
        w = self.wire()
        p = self.unique()
        err, (path, stat) = w.create_ttl(p, 60000, b"t")
        self.assertEqual((err, path), (0, p))
        self.assertEqual(stat.ephemeralOwner, 0)
        self.assertEqual(w.create_ttl(p + "x", 0)[0], z.BADARGUMENTS)
        self.assertEqual(w.create_ttl(p + "y", -5)[0], z.BADARGUMENTS)
        # createTTL with a non-TTL mode, and create (op 1) with a TTL mode
        self.assertEqual(w.create_ttl(p + "z", 1000, flags=z.PERSISTENT)[0], z.BADARGUMENTS)
        self.assertEqual(w.create(p + "w", flags=z.PERSISTENT_WITH_TTL)[0], z.BADARGUMENTS)
        err, (path, _) = w.create_ttl(p + "/s-", 60000, flags=z.PERSISTENT_SEQUENTIAL_WITH_TTL)
        self.assertEqual((err, path), (0, p + "/s-0000000000"))

    def test_container_node_reports_no_owner(self):
        w = self.wire()
        p = self.unique()
        err, (path, stat) = w.create_container(p, b"c")
        self.assertEqual((err, path), (0, p))
        self.assertEqual(stat.ephemeralOwner, 0)
        self.assertEqual(w.create(p + "/child"), (0, p + "/child"))
        # a create (op 1) with the container mode makes a container too
        self.assertEqual(w.create(p + "2", flags=z.CONTAINER), (0, p + "2"))


class TtlDisabled(ServerTestCase):
    def test_ttl_create_is_unimplemented_without_extended_types(self):
        w = self.wire()
        self.assertEqual(w.create_ttl(self.unique(), 5000)[0], z.UNIMPLEMENTED)
        self.assertEqual(w.exists("/")[0], 0)


class ContainerAndTtlReaping(ServerTestCase):
    server_props = {"zookeeper.extendedTypesEnabled": "true",
                    "znode.container.checkIntervalMs": "100"}

    def test_empty_container_that_had_children_is_removed(self):
        w = self.wire()
        p = self.unique()
        w.create_container(p)
        w.create(p + "/c")
        keeper = self.unique()
        w.create_container(keeper)  # never had a child: stays
        w.delete(p + "/c")
        wait_until(lambda: w.exists(p)[0] == z.NONODE, 15, what="container removal")
        self.assertEqual(w.exists(keeper)[0], 0)

    def test_expired_ttl_node_is_removed(self):
        w = self.wire()
        p = self.unique()
        w.create_ttl(p, 300)
        wait_until(lambda: w.exists(p)[0] == z.NONODE, 15, what="TTL node removal")


class ReadWrite(ServerTestCase):
    def test_set_with_version_checks_and_bumps_version(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p, b"a")
        stat = zk.set(p, b"bb", version=0)
        self.assertEqual(stat.version, 1)
        self.assertEqual(stat.dataLength, 2)
        self.assertGreater(stat.mzxid, stat.czxid)
        with self.assertRaises(BadVersionError):
            zk.set(p, b"c", version=0)
        self.assertEqual(zk.set(p, b"c", version=-1).version, 2)
        data, stat2 = zk.get(p)
        self.assertEqual((data, stat2.version), (b"c", 2))
        with self.assertRaises(NoNodeError):
            zk.set(p + "/none", b"x")

    def test_set_to_same_data_still_bumps_version(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p, b"same")
        self.assertEqual(zk.set(p, b"same").version, 1)

    def test_get_missing_node_fails_with_no_node(self):
        zk = self.kazoo()
        with self.assertRaises(NoNodeError):
            zk.get(self.unique())

    def test_empty_and_null_data(self):
        w = self.wire()
        p = self.unique()
        w.create(p, None)
        err, (data, stat) = w.get_data(p)
        self.assertEqual((err, stat.dataLength), (0, 0))
        self.assertIn(data, (None, b""))
        w.set_data(p, b"")
        self.assertEqual(w.get_data(p)[1][1].dataLength, 0)

    def test_delete_with_versions(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p)
        zk.set(p, b"x")
        with self.assertRaises(BadVersionError):
            zk.delete(p, version=0)
        zk.delete(p, version=1)
        self.assertIsNone(zk.exists(p))
        with self.assertRaises(NoNodeError):
            zk.delete(p)

    def test_delete_node_with_children_fails_with_not_empty(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p + "/c", makepath=True)
        with self.assertRaises(NotEmptyError):
            zk.delete(p)
        zk.delete(p, recursive=True)
        self.assertIsNone(zk.exists(p))

    def test_delete_root_is_rejected(self):
        w = self.wire()
        self.assertEqual(w.delete("/")[0], z.BADARGUMENTS)

    def test_exists_returns_stat_or_none(self):
        zk = self.kazoo()
        p = self.unique()
        self.assertIsNone(zk.exists(p))
        zk.create(p, b"123")
        self.assertEqual(zk.exists(p).dataLength, 3)

    def test_root_and_zookeeper_nodes_exist(self):
        zk = self.kazoo()
        self.assertIn("zookeeper", zk.get_children("/"))
        self.assertIsNotNone(zk.exists("/zookeeper"))
        self.assertIn("quota", zk.get_children("/zookeeper"))

    def test_children_and_children2(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p)
        for n in ("b", "a", "c"):
            zk.create(p + "/" + n, n.encode())
        self.assertEqual(sorted(zk.get_children(p)), ["a", "b", "c"])
        children, stat = zk.get_children(p, include_data=True)
        self.assertEqual(sorted(children), ["a", "b", "c"])
        self.assertEqual(stat.numChildren, 3)
        self.assertEqual(stat.cversion, 3)
        with self.assertRaises(NoNodeError):
            zk.get_children(p + "/zz")
        self.assertEqual(zk.get_children(p + "/a"), [])

    def test_sync_returns_path(self):
        zk = self.kazoo()
        self.assertEqual(zk.sync("/"), "/")
        w = self.wire()
        self.assertEqual(w.sync("/zookeeper"), (0, "/zookeeper"))

    def test_reads_return_last_zxid_and_writes_a_new_one(self):
        w = self.wire()
        p = self.unique()
        r1 = w.call("create", z.rec_create(p))
        r2 = w.call("exists", z.rec_path(p, False))
        self.assertEqual(r2.zxid, r1.zxid)
        r3 = w.call("create", z.rec_create(p))  # a failed write consumes a zxid too
        self.assertEqual(r3.err, z.NODEEXISTS)
        self.assertEqual(r3.zxid, r1.zxid + 1)
        r4 = w.call("setData", z.rec_set(p, b"x"))
        self.assertEqual(r4.zxid, r1.zxid + 2)


class Acls(ServerTestCase):
    def test_default_acl_is_world_anyone_all(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p)
        acls, stat = zk.get_acls(p)
        self.assertEqual(list(acls), list(OPEN_ACL_UNSAFE))
        self.assertEqual(stat.aversion, 0)

    def test_set_acls_with_version(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p)
        read_admin = [make_acl("world", "anyone", read=True, admin=True)]
        stat = zk.set_acls(p, read_admin, version=0)
        self.assertEqual(stat.aversion, 1)
        with self.assertRaises(BadVersionError):
            zk.set_acls(p, OPEN_ACL_UNSAFE, version=0)
        acls, stat = zk.get_acls(p)
        self.assertEqual(list(acls), read_admin)
        self.assertEqual(stat.aversion, 1)
        self.assertEqual(stat.version, 0)
        with self.assertRaises(NoNodeError):
            zk.get_acls(p + "/none")

    def test_set_acl_needs_admin_permission(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p, acl=READ_ACL_UNSAFE)
        with self.assertRaises(NoAuthError):
            zk.set_acls(p, OPEN_ACL_UNSAFE)
        self.assertEqual(zk.get_acls(p)[1].aversion, 0)  # reading the ACL still works

    def test_set_acl_on_missing_node_and_empty_acl(self):
        w = self.wire()
        p = self.unique()
        self.assertEqual(w.set_acl(p, z.OPEN_ACL)[0], z.NONODE)
        w.create(p)
        self.assertEqual(w.set_acl(p, [])[0], z.INVALIDACL)


class Multi(ServerTestCase):
    def test_transaction_applies_all_ops(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p, b"v")
        t = zk.transaction()
        t.create(p + "/a", b"1")
        t.create(p + "/s-", sequence=True)
        t.set_data(p, b"w", version=0)
        t.check(p, 1)
        t.delete(p + "/a")
        res = t.commit()
        self.assertEqual(res[0], p + "/a")
        self.assertEqual(res[1], p + "/s-0000000001")
        self.assertEqual(res[2].version, 1)
        self.assertEqual(res[3:], [True, True])
        self.assertEqual(zk.get_children(p), ["s-0000000001"])
        self.assertEqual(zk.get(p)[0], b"w")

    def test_failed_transaction_leaves_nothing(self):
        zk = self.kazoo()
        p = self.unique()
        zk.create(p, b"v")
        t = zk.transaction()
        t.create(p + "/a")
        t.set_data(p, b"changed")
        t.check(p, 7)  # fails: version is 0 before the multi
        t.create(p + "/b")
        res = t.commit()
        self.assertIsInstance(res[0], RolledBackError)
        self.assertIsInstance(res[1], RolledBackError)
        self.assertIsInstance(res[2], BadVersionError)
        self.assertIsInstance(res[3], RuntimeInconsistency)  # -2 after the failing op
        self.assertEqual(zk.get_children(p), [])
        data, stat = zk.get(p)
        self.assertEqual((data, stat.version, stat.cversion), (b"v", 0, 0))

    def test_multi_error_results_on_the_wire(self):
        w = self.wire()
        p = self.unique()
        err, res = w.multi([("create", z.rec_create(p)), ("create", z.rec_create(p)),
                            ("delete", z.rec_delete(p + "/zz"))])
        self.assertEqual(err, 0)
        self.assertEqual(res, [(-1, 0, None), (-1, z.NODEEXISTS, None), (-1, -2, None)])
        self.assertEqual(w.exists(p)[0], z.NONODE)
        # a multi sees its own earlier ops
        err, res = w.multi([("create", z.rec_create(p)), ("create", z.rec_create(p + "/c")),
                            ("setData", z.rec_set(p + "/c", b"x", 0)),
                            ("check", z.rec_check(p + "/c", 1)),
                            ("delete", z.rec_delete(p + "/c", 1))])
        self.assertEqual(err, 0)
        self.assertEqual([r[0] for r in res], [1, 1, 5, 13, 2])
        self.assertEqual(res[2][2].version, 1)
        self.assertEqual(w.get_children(p), (0, []))

    def test_empty_multi_returns_no_results(self):
        w = self.wire()
        self.assertEqual(w.multi([]), (0, []))

    def test_read_op_inside_write_multi_is_a_marshalling_error(self):
        w = self.wire()
        p = self.unique()
        err, _ = w.multi([("create", z.rec_create(p)), ("getData", z.rec_path("/", False))])
        self.assertEqual(err, z.MARSHALLINGERROR)
        self.assertEqual(w.exists(p)[0], z.NONODE)

    def test_multi_read_returns_each_result(self):
        w = self.wire()
        p = self.unique()
        w.create(p, b"d")
        w.create(p + "/k")
        err, res = w.multi([("getData", z.rec_path(p, False)),
                            ("getChildren", z.rec_path(p, False)),
                            ("getData", z.rec_path(p + "/none", False))], read=True)
        self.assertEqual(err, 0)
        self.assertEqual(res[0][0], 4)
        self.assertEqual(res[0][2][0], b"d")
        self.assertEqual(res[1], (8, 0, ["k"]))
        self.assertEqual(res[2], (-1, z.NONODE, None))

    def test_check_op_alone(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        self.assertEqual(w.multi([("check", z.rec_check(p, 0))]), (0, [(13, 0, None)]))
        self.assertEqual(w.multi([("check", z.rec_check(p, 3))]),
                         (0, [(-1, z.BADVERSION, None)]))
        self.assertEqual(w.multi([("check", z.rec_check(p + "/x", 0))]),
                         (0, [(-1, z.NONODE, None)]))


class Introspection(ServerTestCase):
    def test_get_all_children_number_counts_descendants(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        for c in ("/a", "/a/b", "/a/b/c", "/d"):
            w.create(p + c)
        self.assertEqual(w.get_all_children_number(p), (0, 4))
        self.assertEqual(w.get_all_children_number(p + "/d"), (0, 0))
        self.assertEqual(w.get_all_children_number(p + "/none")[0], z.NONODE)

    def test_get_ephemerals_lists_this_sessions_ephemerals_by_prefix(self):
        w = self.wire()
        other = self.wire()
        p = self.unique()
        w.create(p)
        w.create(p + "/e1", flags=z.EPHEMERAL)
        w.create(p + "/e2", flags=z.EPHEMERAL)
        w.create(p + "/q", flags=z.EPHEMERAL_SEQUENTIAL)
        other.create(p + "/theirs", flags=z.EPHEMERAL)
        err, eph = w.get_ephemerals(p)
        self.assertEqual(err, 0)
        self.assertEqual(sorted(eph), [p + "/e1", p + "/e2", p + "/q0000000002"])
        self.assertEqual(sorted(w.get_ephemerals(p + "/e")[1]), [p + "/e1", p + "/e2"])
        self.assertEqual(sorted(w.get_ephemerals("/")[1]),
                         [p + "/e1", p + "/e2", p + "/q0000000002"])
        self.assertEqual(other.get_ephemerals(p)[1], [p + "/theirs"])

    def test_whoami_reports_ip_then_digest(self):
        w = self.wire()
        self.assertEqual(w.whoami(), (0, [("ip", "127.0.0.1")]))
        self.assertEqual(w.add_auth("digest", b"alice:secret")[0], 0)
        err, ids = w.whoami()
        self.assertEqual(err, 0)
        self.assertEqual(sorted(ids), [("digest", "alice"), ("ip", "127.0.0.1")])


if __name__ == "__main__":
    main()
