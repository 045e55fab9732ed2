"""The admin server over real HTTP (paddockd's, on cpp-httplib): ZooKeeper's command URLs,
JSON bodies and errors, `monitor` printing the same metrics as mntr, and the commands that
report what the server was started with (initial_configuration, system_properties), its
last snapshot, and the trace mask it shares with the four-letter words."""

import json
import os
import socket
import time
import unittest
import urllib.error
import urllib.request

from harness import ensemble as harness_ensemble
from harness import servers
from harness.base import ServerTestCase, main, wait_until

# ZooKeeper 3.8's admin commands, in the order its /commands page lists them.
ZK38_COMMANDS = [
    "configuration", "connection_stat_reset", "connections", "dirs", "dump", "environment",
    "get_trace_mask", "hash", "initial_configuration", "is_read_only", "last_snapshot",
    "leader", "monitor", "observer_connection_stat_reset", "observers", "ruok",
    "server_stats", "set_trace_mask", "stat_reset", "stats", "system_properties",
    "voting_view", "watch_summary", "watches", "watches_by_path", "zabstate"]


# What ZooKeeper's Jetty admin server needs besides the harness's classpath.
JETTY_JARS = ["servlet-api", "jetty9-server", "jetty9-util", "jetty9-http", "jetty9-io",
              "jetty9-servlet", "jetty9-security", "jetty9-util-ajax", "jackson-core",
              "jackson-databind", "jackson-annotations"]


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
        return True
    except OSError:
        return False


class ZooKeeperWithAdminServer(servers.ZooKeeperServer):
    """The reference server with its admin server on (the harness runs it without Jetty)."""

    def command(self):
        cmd = super().command()
        at = cmd.index("-cp") + 1
        cmd[at] += "".join(":/usr/share/java/%s.jar" % jar for jar in JETTY_JARS)
        return cmd


class AdminServerOverHttp(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.admin_port = servers.free_port()
        # snapCount=10: both servers snapshot after a few dozen writes (last_snapshot).
        cls.server_cfg = {"admin.enableServer": "true", "admin.serverAddress": "127.0.0.1",
                          "admin.serverPort": cls.admin_port, "snapCount": 10}
        cls.started = time.time()
        if servers.target() == "paddock":
            super().setUpClass()
            return
        cls.server = ZooKeeperWithAdminServer(
            cfg=cls.server_cfg, props={"zookeeper.admin.enableServer": "true"})
        try:
            cls.server.start()
            wait_until(lambda: port_open(cls.admin_port), what="ZooKeeper's admin server")
        except BaseException:
            cls.server.close()
            raise

    def get(self, path, method="GET"):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.admin_port, path),
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read().decode()

    def test_commands_answer_json(self):
        status, content_type, body = self.get("/commands/ruok")
        self.assertEqual(status, 200)
        self.assertTrue(content_type.startswith("application/json"), content_type)
        self.assertEqual(json.loads(body), {"command": "ruok", "error": None})
        status, _, body = self.get("/commands/srvr")
        self.assertEqual(json.loads(body)["command"], "server_stats")

    def test_command_list_and_errors(self):
        status, content_type, body = self.get("/commands")
        self.assertEqual(status, 200)
        self.assertIn('<a href="/commands/monitor">monitor</a>', body)
        self.assertEqual(json.loads(self.get("/commands/nosuch")[2])["error"],
                         "Unknown command: nosuch")
        self.assertEqual(self.get("/elsewhere")[0], 404)
        self.assertEqual(self.get("/commands/ruok", method="POST")[0], 405)

    def test_monitor_has_mntrs_keys(self):
        zk = self.kazoo()
        zk.ensure_path("/admin-monitor")
        monitor = json.loads(self.get("/commands/monitor")[2])
        mntr = dict(line.split("\t", 1) for line in self.server.four_letter("mntr").splitlines())
        self.assertEqual({"zk_" + k for k in monitor if k != "command" and k != "error"},
                         set(mntr))
        self.assertEqual(monitor["znode_count"], int(mntr["zk_znode_count"]))


    def command(self, name):
        status, content_type, body = self.get("/commands/" + name)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def test_every_zookeeper_command_is_listed_in_its_order(self):
        body = self.get("/commands")[2]
        links = ['<a href="/commands/%s">%s</a>' % (c, c) for c in ZK38_COMMANDS]
        positions = [body.find(link) for link in links]
        self.assertNotIn(-1, positions, body)
        self.assertEqual(positions, sorted(positions))

    def test_set_trace_mask_is_what_gtmk_and_get_trace_mask_answer(self):
        self.assertEqual(self.command("set_trace_mask"),
                         {"error": "setTraceMask requires long traceMask argument",
                          "command": "set_trace_mask"})
        self.assertEqual(self.command("set_trace_mask?traceMask=x1")["error"],
                         "setTraceMask requires long traceMask argument, got x1")
        self.addCleanup(self.command, "set_trace_mask?traceMask=306")
        self.assertEqual(self.command("stmk?traceMask=1234"),
                         {"tracemask": 1234, "command": "set_trace_mask", "error": None})
        self.assertEqual(self.command("get_trace_mask")["tracemask"], 1234)
        self.assertEqual(self.server.four_letter("gtmk"), "1234")

    def test_initial_configuration_is_the_text_of_zoo_cfg(self):
        with open(self.server.cfg_path) as f:
            text = f.read()
        self.assertEqual(self.command("initial_configuration"),
                         {"initial_configuration": text, "command": "initial_configuration",
                          "error": None})

    def test_system_properties_hold_the_zoo_cfg_keys_zookeeper_turns_into_properties(self):
        props = self.command("system_properties")
        self.assertEqual(props.pop("command"), "system_properties")
        self.assertIsNone(props.pop("error"))
        self.assertEqual(list(props), sorted(props))
        self.assertEqual(props["zookeeper.admin.serverPort"], str(self.admin_port))
        self.assertEqual(props["zookeeper.snapCount"], "10")
        self.assertEqual(props["os.name"], "Linux")
        self.assertEqual(props["file.separator"], "/")

    def test_last_snapshot_is_the_newest_snapshot_file(self):
        zk = self.kazoo()
        zk.ensure_path("/snapshotted")
        for i in range(40):
            zk.create("/snapshotted/n", b"x", sequence=True)

        def snapshot_after_the_writes():
            # ZooKeeper also reports the one it writes at start (zxid 0); Paddock none yet.
            j = self.command("last_snapshot")
            zxid = int(j["zxid"], 16)
            return j if 0 < zxid < 1 << 63 else None

        last = wait_until(snapshot_after_the_writes,
                          what="a snapshot after 40 writes with snapCount=10")
        zxid = int(last["zxid"], 16)
        files = {}
        for root, _, names in os.walk(self.server.data_dir):
            for name in names:
                if name.startswith("snapshot.") and not name.endswith(".tmp"):
                    files[int(name.split(".")[1], 16)] = os.path.join(root, name)
        self.assertIn(zxid, files)
        self.assertLessEqual(abs(last["timestamp"] - int(os.stat(files[zxid]).st_mtime)), 1)
        self.assertGreaterEqual(last["timestamp"], int(self.started) - 1)

    def test_standalone_has_no_leader_and_no_observers(self):
        self.assertEqual(self.command("leader"),
                         {"error": "server is not initialized", "command": "leader"})
        self.assertEqual(self.command("observers"),
                         {"synced_observers": 0, "observers": [], "command": "observers",
                          "error": None})


class ObserversOfALeader(unittest.TestCase):
    """A 2-participant + 1-observer ensemble with the admin server on every member: the
    leader's observers command names the observer's link, as ZooKeeper's LearnerHandler
    reports it."""

    def setUp(self):
        def member_class(kind=None):
            kind = kind or servers.target()
            return ZooKeeperWithAdminServer if kind == "zookeeper" else servers.PaddockServer
        saved = harness_ensemble.server_class
        harness_ensemble.server_class = member_class
        try:
            self.ens = harness_ensemble.Ensemble(
                2, 1, props={"zookeeper.admin.enableServer": "true"}, start=False)
        finally:
            harness_ensemble.server_class = saved
        self.addCleanup(self.ens.close)
        self.admin = {}
        for sid in self.ens.sids:
            self.admin[sid] = servers.free_port()
            self.ens.members[sid].cfg.update({"admin.enableServer": "true",
                                              "admin.serverAddress": "127.0.0.1",
                                              "admin.serverPort": str(self.admin[sid])})
        self.ens.start_all()

    def command(self, sid, name):
        url = "http://127.0.0.1:%d/commands/%s" % (self.admin[sid], name)
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.loads(r.read().decode())

    def test_the_leader_lists_its_synced_observer(self):
        zk = harness_ensemble.kazoo_client(self.ens.hostport(3))
        self.addCleanup(harness_ensemble.stop_kazoo, zk)
        zk.create("/through-the-observer", b"x")
        leader = self.ens.leader()
        wait_until(lambda: self.command(leader, "observers")["synced_observers"] == 1,
                   what="the observer synced")
        body = self.command(leader, "observers")
        self.assertEqual(len(body["observers"]), 1, body)
        o = body["observers"][0]
        self.assertEqual(o["sid"], 3)
        self.assertTrue(o["remote_socket_address"].startswith("/127.0.0.1:"), o)
        self.assertGreater(o["packets_sent"], 0)
        self.assertGreater(o["packets_received"], 0)
        self.assertGreaterEqual(o["requests"], 1)  # the create it forwarded
        self.assertAlmostEqual(o["established"] / 1000.0, time.time(), delta=120)
        self.assertEqual(sorted(o), sorted(["remote_socket_address", "sid", "established",
                                            "queued_packets", "queued_packets_size",
                                            "packets_received", "packets_sent", "requests",
                                            "last_zxid"]))
        follower = [s for s in (1, 2) if s != leader][0]
        self.assertEqual(self.command(follower, "observers")["observers"], [])


if __name__ == "__main__":
    main()
