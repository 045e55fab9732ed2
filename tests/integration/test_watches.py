"""Watches: each kind fires once, with the right type and path, in order relative to the
replies on the same connection; persistent and recursive watches (addWatch);
checkWatches/removeWatches; kazoo's one-shot watchers and DataWatch/ChildrenWatch."""

import threading
import unittest

from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until

S = z.SYNC_CONNECTED


class OneShotWatches(ServerTestCase):
    def test_data_watch_fires_once_on_set(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        w.create(p)
        self.assertEqual(w.get_data(p, watch=True)[0], 0)
        o.set_data(p, b"1")
        self.assertEqual(w.wait_events(1), [(z.NODE_DATA_CHANGED, S, p)])
        o.set_data(p, b"2")
        self.assertEqual(w.no_more_events(), [])

    def test_exists_watch_on_missing_node_fires_on_create(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        self.assertEqual(w.exists(p, watch=True)[0], z.NONODE)
        o.create(p)
        self.assertEqual(w.wait_events(1), [(z.NODE_CREATED, S, p)])
        o.delete(p)
        self.assertEqual(w.no_more_events(), [])

    def test_exists_watch_on_existing_node_fires_on_delete(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        w.create(p)
        w.exists(p, watch=True)
        o.delete(p)
        self.assertEqual(w.wait_events(1), [(z.NODE_DELETED, S, p)])

    def test_child_watch_fires_on_child_create_and_delete_but_not_on_child_data(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        w.create(p)
        w.create(p + "/a")
        w.get_children(p, watch=True)
        o.set_data(p + "/a", b"x")   # not a children change
        o.set_data(p, b"x")          # nor is the parent's data
        o.create(p + "/b")
        self.assertEqual(w.wait_events(1), [(z.NODE_CHILDREN_CHANGED, S, p)])
        w.get_children2(p, watch=True)
        o.delete(p + "/b")
        self.assertEqual(w.wait_events(2)[1], (z.NODE_CHILDREN_CHANGED, S, p))
        self.assertEqual(w.no_more_events(), [])

    def test_delete_fires_one_deleted_event_per_connection_then_parent_children(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        w.create(p)
        w.create(p + "/c")
        w.get_data(p + "/c", watch=True)
        w.exists(p + "/c", watch=True)
        w.get_children(p + "/c", watch=True)
        w.get_children(p, watch=True)
        o.delete(p + "/c")
        self.assertEqual(w.wait_events(2), [(z.NODE_DELETED, S, p + "/c"),
                                            (z.NODE_CHILDREN_CHANGED, S, p)])
        self.assertEqual(w.no_more_events(), [])

    def test_events_come_before_the_reply_of_the_op_that_caused_them(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        w.get_data(p, watch=True)
        w.get_children(p, watch=True)
        w.exists(p + "/c", watch=True)
        w.trace.clear()
        xid = w.send(z.OP["create"], z.rec_create(p + "/c"))
        w.wait_reply(xid)
        self.assertEqual(w.trace, [("event", z.NODE_CREATED, S, p + "/c"),
                                   ("event", z.NODE_CHILDREN_CHANGED, S, p),
                                   ("reply", xid, 0)])
        w.trace.clear()
        xid = w.send(z.OP["setData"], z.rec_set(p, b"d"))
        w.wait_reply(xid)
        self.assertEqual(w.trace, [("event", z.NODE_DATA_CHANGED, S, p), ("reply", xid, 0)])

    def test_set_acl_fires_no_watch(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        w.create(p)
        w.get_data(p, watch=True)
        o.set_acl(p, z.OPEN_ACL)
        self.assertEqual(w.no_more_events(), [])
        o.set_data(p, b"now")
        self.assertEqual(w.wait_events(1), [(z.NODE_DATA_CHANGED, S, p)])

    def test_multi_fires_events_in_op_order_and_a_failed_multi_fires_none(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        w.create(p)
        w.create(p + "/x")
        w.get_data(p, watch=True)
        w.get_children(p, watch=True)
        w.exists(p + "/x", watch=True)
        err, _ = o.multi([("create", z.rec_create(p + "/n")), ("check", z.rec_check(p, 9))])
        self.assertEqual(err, 0)
        self.assertEqual(w.no_more_events(), [])
        err, res = o.multi([("setData", z.rec_set(p + "/x", b"1")),
                            ("create", z.rec_create(p + "/n")),
                            ("setData", z.rec_set(p, b"2"))])
        self.assertEqual([r[1] for r in res], [0, 0, 0])
        self.assertEqual(w.wait_events(3), [(z.NODE_DATA_CHANGED, S, p + "/x"),
                                            (z.NODE_CHILDREN_CHANGED, S, p),
                                            (z.NODE_DATA_CHANGED, S, p)])

    def test_watches_of_two_connections_both_fire(self):
        a, b, o = self.wire(), self.wire(), self.wire()
        p = self.unique()
        o.create(p)
        a.get_data(p, watch=True)
        b.exists(p, watch=True)
        o.set_data(p, b"v")
        self.assertEqual(a.wait_events(1), [(z.NODE_DATA_CHANGED, S, p)])
        self.assertEqual(b.wait_events(1), [(z.NODE_DATA_CHANGED, S, p)])


class PersistentWatches(ServerTestCase):
    def test_add_watch_replies_with_an_error_response_body(self):
        w = self.wire()
        err, body = w.add_watch(self.unique(), z.ADD_PERSISTENT)
        self.assertEqual((err, body), (0, b"\0\0\0\0"))

    def test_persistent_watch_fires_every_time_with_children_changes(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        self.assertEqual(w.add_watch(p, z.ADD_PERSISTENT)[0], 0)  # may precede the node
        o.create(p)
        o.set_data(p, b"1")
        o.set_data(p, b"2")
        o.create(p + "/c")
        o.set_data(p + "/c", b"grandchild data: not seen")
        o.delete(p + "/c")
        o.delete(p)
        o.create(p)
        self.assertEqual(w.wait_events(7), [
            (z.NODE_CREATED, S, p), (z.NODE_DATA_CHANGED, S, p), (z.NODE_DATA_CHANGED, S, p),
            (z.NODE_CHILDREN_CHANGED, S, p), (z.NODE_CHILDREN_CHANGED, S, p),
            (z.NODE_DELETED, S, p), (z.NODE_CREATED, S, p)])
        self.assertEqual(w.no_more_events(), [])

    def test_recursive_watch_sees_all_descendants_but_no_children_events(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        o.create(p)
        self.assertEqual(w.add_watch(p, z.ADD_PERSISTENT_RECURSIVE)[0], 0)
        o.create(p + "/a")
        o.set_data(p, b"x")
        o.create(p + "/a/b")
        o.set_data(p + "/a/b", b"y")
        o.delete(p + "/a/b")
        o.delete(p + "/a")
        o.create(p + "-sibling")  # outside the subtree
        self.assertEqual(w.wait_events(6), [
            (z.NODE_CREATED, S, p + "/a"), (z.NODE_DATA_CHANGED, S, p),
            (z.NODE_CREATED, S, p + "/a/b"), (z.NODE_DATA_CHANGED, S, p + "/a/b"),
            (z.NODE_DELETED, S, p + "/a/b"), (z.NODE_DELETED, S, p + "/a")])
        self.assertEqual(w.no_more_events(), [])

    def test_recursive_watch_on_root_sees_everything(self):
        w, o = self.wire(), self.wire()
        w.add_watch("/", z.ADD_PERSISTENT_RECURSIVE)
        p = self.unique()
        o.create(p)
        self.assertEqual(w.wait_events(1), [(z.NODE_CREATED, S, p)])

    def test_one_shot_watch_set_after_a_persistent_one_replaces_it(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        o.create(p)
        w.add_watch(p, z.ADD_PERSISTENT)
        w.get_data(p, watch=True)
        o.set_data(p, b"1")
        # one event per connection and path, whatever the number of watches
        self.assertEqual(w.wait_events(1), [(z.NODE_DATA_CHANGED, S, p)])
        self.assertEqual(w.no_more_events(), [])
        # ZooKeeper keeps one mode per (connection, path): the standard watch replaced the
        # persistent one, so nothing fires any more.
        o.set_data(p, b"2")
        self.assertEqual(w.no_more_events(), [])

    def test_add_watch_with_unknown_mode_is_a_marshalling_error(self):
        w = self.wire()
        self.assertEqual(w.add_watch(self.unique(), 7)[0], z.MARSHALLINGERROR)
        self.assertEqual(w.exists("/")[0], 0)


class RemoveWatches(ServerTestCase):
    def test_check_watches_reports_whether_a_watch_is_set(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        self.assertEqual(w.check_watches(p, z.WT_DATA)[0], z.NOWATCHER)
        self.assertEqual(w.check_watches(p, z.WT_ANY)[0], z.NOWATCHER)
        w.get_data(p, watch=True)
        self.assertEqual(w.check_watches(p, z.WT_DATA)[0], 0)
        self.assertEqual(w.check_watches(p, z.WT_ANY)[0], 0)
        self.assertEqual(w.check_watches(p, z.WT_CHILDREN)[0], z.NOWATCHER)
        w.get_children(p, watch=True)
        self.assertEqual(w.check_watches(p, z.WT_CHILDREN)[0], 0)

    def test_exists_watch_on_missing_node_counts_as_data_watch(self):
        w = self.wire()
        p = self.unique()
        w.exists(p, watch=True)
        self.assertEqual(w.check_watches(p, z.WT_DATA)[0], 0)

    def test_removed_data_watch_no_longer_fires_and_server_sends_no_event(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        w.create(p)
        w.get_data(p, watch=True)
        w.get_children(p, watch=True)
        self.assertEqual(w.remove_watches(p, z.WT_DATA)[0], 0)
        self.assertEqual(w.check_watches(p, z.WT_DATA)[0], z.NOWATCHER)
        self.assertEqual(w.check_watches(p, z.WT_CHILDREN)[0], 0)
        o.set_data(p, b"x")
        o.create(p + "/c")
        self.assertEqual(w.wait_events(1), [(z.NODE_CHILDREN_CHANGED, S, p)])
        self.assertEqual(w.no_more_events(), [])

    def test_remove_without_watch_fails_with_no_watcher(self):
        w = self.wire()
        p = self.unique()
        self.assertEqual(w.remove_watches(p, z.WT_ANY)[0], z.NOWATCHER)
        w.create(p)
        self.assertEqual(w.remove_watches(p, z.WT_CHILDREN)[0], z.NOWATCHER)

    def test_remove_any_removes_a_persistent_watch(self):
        w, o = self.wire(), self.wire()
        p = self.unique()
        o.create(p)
        w.add_watch(p, z.ADD_PERSISTENT)
        self.assertEqual(w.remove_watches(p, z.WT_ANY)[0], 0)
        o.set_data(p, b"x")
        self.assertEqual(w.no_more_events(), [])

    def test_remove_only_touches_own_connection(self):
        a, b, o = self.wire(), self.wire(), self.wire()
        p = self.unique()
        o.create(p)
        a.get_data(p, watch=True)
        b.get_data(p, watch=True)
        a.remove_watches(p, z.WT_DATA)
        o.set_data(p, b"x")
        self.assertEqual(b.wait_events(1), [(z.NODE_DATA_CHANGED, S, p)])
        self.assertEqual(a.no_more_events(), [])


class KazooWatchers(ServerTestCase):
    def test_kazoo_one_shot_watchers(self):
        zk, other = self.kazoo(), self.kazoo()
        p = self.unique()
        zk.create(p, b"0")
        got = []
        cond = threading.Condition()

        def record(ev):
            with cond:
                got.append((ev.type, ev.path))
                cond.notify_all()

        zk.get(p, watch=record)
        zk.get_children(p, watch=record)
        other.set(p, b"1")
        other.create(p + "/c")
        other.set(p, b"2")  # the data watch already fired
        wait_until(lambda: len(got) >= 2, 10, what="two kazoo events")
        self.assertEqual(got, [("CHANGED", p), ("CHILD", p)])

    def test_kazoo_data_and_children_watch_recipes(self):
        zk, other = self.kazoo(), self.kazoo()
        p = self.unique()
        zk.create(p, b"a")
        datas, kids = [], []
        zk.DataWatch(p, lambda data, stat: datas.append(data))
        zk.ChildrenWatch(p, lambda c: kids.append(sorted(c)))
        other.set(p, b"b")
        other.create(p + "/x")
        other.create(p + "/y")
        wait_until(lambda: datas[-1:] == [b"b"] and kids[-1:] == [["x", "y"]], 10,
                   what="recipe callbacks")
        self.assertEqual(datas[0], b"a")
        self.assertEqual(kids[0], [])


if __name__ == "__main__":
    main()
