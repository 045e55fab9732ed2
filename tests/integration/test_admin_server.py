"""The admin server over real HTTP (paddockd's, on cpp-httplib): ZooKeeper's command URLs,
JSON bodies and errors, and `monitor` printing the same metrics as mntr."""

import json
import urllib.error
import urllib.request

from harness import servers
from harness.base import ServerTestCase, main


class AdminServerOverHttp(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.admin_port = servers.free_port()
        cls.server_cfg = {"admin.enableServer": "true", "admin.serverAddress": "127.0.0.1",
                          "admin.serverPort": cls.admin_port}
        super().setUpClass()

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


if __name__ == "__main__":
    main()
