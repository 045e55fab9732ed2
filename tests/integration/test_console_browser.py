"""The web console (/console on the admin server) in a real browser: headless Chromium driven
by chromedriver through Selenium opens the console of a running paddockd, browses to a znode
made with kazoo, edits it as a digest user, and the change is seen through kazoo; a
read-only console refuses writes; an ensemble member's console lists every member with its
zxid and lag. Screenshots go to <build>/test-output/console/ (PADDOCK_CONSOLE_SCREENSHOTS
overrides it)."""

import json
import os
import threading
import unittest
import urllib.error
import urllib.request

from harness import servers
from harness.base import main, wait_until
from harness.ensemble import Ensemble

from kazoo.client import KazooClient
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
USER, PASSWORD = "alice", "wonderland"


def screenshot_dir():
    d = os.environ.get("PADDOCK_CONSOLE_SCREENSHOTS")
    if not d:
        d = os.path.join(os.path.dirname(servers.paddockd_path()), "..", "test-output", "console")
    d = os.path.abspath(d)
    os.makedirs(d, exist_ok=True)
    return d


def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1400,900", "--force-device-scale-factor=1",
                 # Nothing but the console: no network beyond loopback.
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def http(port, method, path, body=None, headers=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read().decode() or "null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode() or "null")


def kazoo(hostport, auth=None):
    zk = KazooClient(hosts=hostport, timeout=10.0, auth_data=auth)
    zk.start(timeout=15)
    return zk


class ConsoleTestCase(unittest.TestCase):
    """A browser for the class; helpers to wait on the page and to take screenshots."""

    browser = None

    @classmethod
    def setUpClass(cls):
        cls.shots = screenshot_dir()
        cls.browser = start_browser()
        cls.browser.set_page_load_timeout(20)

    @classmethod
    def tearDownClass(cls):
        if cls.browser is not None:
            cls.browser.quit()

    def shot(self, name):
        path = os.path.join(self.shots, name)
        self.browser.save_screenshot(path)
        print("screenshot: %s" % path)
        return path

    def text(self, element_id):
        return self.browser.find_element(By.ID, element_id).text

    def wait_text(self, element_id, expected, timeout=10):
        return wait_until(lambda: expected in self.text(element_id), timeout,
                          what="%r in #%s (has %r)" % (expected, element_id, self.text(element_id)))

    def click(self, css):
        wait_until(lambda: self.browser.find_elements(By.CSS_SELECTOR, css), 10, what=css)
        self.browser.find_element(By.CSS_SELECTOR, css).click()

    def click_tree(self, path):
        self.click('#tree a.name[data-path="%s"]' % path)
        self.wait_text("node-path", path)

    def open_console(self, admin_port):
        self.browser.get("http://127.0.0.1:%d/console/" % admin_port)
        wait_until(lambda: self.browser.find_elements(By.CSS_SELECTOR, '#tree li[data-path="/"].open'),
                   15, what="the tree's root open")
        self.wait_text("server-badge", "sid")

    def wait_message(self, expected):
        """Waits for the page's message banner to say `expected` (an earlier message may
        still be showing when the action starts)."""
        return self.wait_text("message", expected)


class OneServerConsole(ConsoleTestCase):
    """A standalone paddockd with its admin server (and console) on a port of the test's,
    configured with the subclass's `console_cfg` on top."""

    console_cfg = {}

    @classmethod
    def setUpClass(cls):
        cls.admin_port = servers.free_port()
        cfg = {"admin.enableServer": "true", "admin.serverAddress": "127.0.0.1",
               "admin.serverPort": cls.admin_port}
        cfg.update(cls.console_cfg)
        cls.server = servers.make_server(cfg=cfg)
        try:
            super().setUpClass()
        except BaseException:
            cls.server.close()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.server.close()


class WritableConsole(OneServerConsole):
    console_cfg = {"admin.console.enableWrites": "true"}

    def setUp(self):
        self.owner = kazoo(self.server.hostport, auth=[("digest", "%s:%s" % (USER, PASSWORD))])
        self.addCleanup(self.owner.stop)

    def test_browse_edit_as_digest_user_and_see_it_through_kazoo(self):
        # alice owns the config: everybody may read it, only she may change it.
        acl = [make_digest_acl(USER, PASSWORD, all=True)] + READ_ACL_UNSAFE
        self.owner.create("/console-demo", b"", acl=OPEN_ACL_UNSAFE)
        config = b'{"replicas": 3, "region": "eu-west", "features": ["a", "b"]}'
        self.owner.create("/console-demo/config", config, acl=acl)
        for w in ("w1", "w2", "w3"):
            self.owner.create("/console-demo/workers/" + w, w.encode(), makepath=True)

        self.open_console(self.admin_port)
        self.assertEqual(self.text("writes-badge"), "writes enabled")
        self.assertEqual(self.text("identity"), "anonymous")
        self.click_tree("/console-demo")
        self.click_tree("/console-demo/config")
        self.wait_text("node-data", '"region": "eu-west"')
        self.click('.views button[data-view="json"]')
        self.wait_text("node-data", '"replicas": 3,')
        self.assertIn("world", self.text("node-acl"))
        self.assertIn("digest", self.text("node-acl"))
        self.shot("01-tree-and-json.png")
        self.click('.views button[data-view="hex"]')
        self.wait_text("node-data", "00000000  7b 22 72 65")
        self.shot("02-hex-view.png")
        self.click('.views button[data-view="text"]')

        # Anonymous: the server's ACL says no, and the page says so.
        self.click("#edit-button")
        area = self.browser.find_element(By.ID, "editor-data")
        area.clear()
        area.send_keys('{"replicas": 0}')
        self.click("#editor-save")
        self.wait_message("NOAUTH")
        self.shot("03-anonymous-edit-refused.png")
        self.assertEqual(self.owner.get("/console-demo/config")[0], config)
        self.click("#editor-cancel")

        # Signed in as alice: the same edit goes through, and kazoo sees it.
        self.browser.find_element(By.ID, "signin-user").send_keys(USER)
        self.browser.find_element(By.ID, "signin-password").send_keys(PASSWORD)
        self.click("#signin-button")
        self.wait_text("identity", "digest:alice")
        self.wait_text("node-path", "/console-demo/config")
        self.click("#edit-button")
        area = self.browser.find_element(By.ID, "editor-data")
        area.clear()
        edited = '{"replicas": 5, "region": "eu-west", "edited": "in the console"}'
        area.send_keys(edited)
        self.shot("04-editing.png")
        self.click("#editor-save")
        self.wait_message("Saved /console-demo/config")
        data, stat = self.owner.get("/console-demo/config")
        self.assertEqual(data.decode(), edited)
        self.assertEqual(stat.version, 1)
        self.wait_text("node-data", "in the console")
        self.shot("05-edited.png")

        # A change made elsewhere meanwhile: the console's versioned save fails, nothing lost.
        self.click("#edit-button")
        self.owner.set("/console-demo/config", b'{"changed": "by kazoo"}')
        area = self.browser.find_element(By.ID, "editor-data")
        area.clear()
        area.send_keys("stale")
        self.click("#editor-save")
        self.wait_message("BADVERSION")
        self.assertEqual(self.owner.get("/console-demo/config")[0], b'{"changed": "by kazoo"}')
        self.click("#editor-cancel")

        # Create and delete a child through the page.
        self.click_tree("/console-demo/workers")
        self.click("#create-button")
        self.browser.find_element(By.ID, "create-name").send_keys("w4")
        self.browser.find_element(By.ID, "editor-data").send_keys("fourth")
        self.click("#editor-save")
        self.wait_message("Created /console-demo/workers/w4")
        self.assertEqual(self.owner.get("/console-demo/workers/w4")[0], b"fourth")
        self.wait_text("node-path", "/console-demo/workers/w4")
        self.click("#delete-button")
        self.click("#confirm-delete-yes")
        self.wait_message("Deleted /console-demo/workers/w4")
        self.assertIsNone(self.owner.exists("/console-demo/workers/w4"))

        # Search by path.
        self.browser.find_element(By.ID, "search-query").send_keys("w2")
        self.click("#search button")
        self.wait_text("search-results", "/console-demo/workers/w2")
        self.click('#search-results a[data-path="/console-demo/workers/w2"]')
        self.wait_text("node-path", "/console-demo/workers/w2")
        self.shot("06-search.png")

    def test_charts_sessions_and_server_tabs(self):
        self.owner.ensure_path("/console-load")
        watched = {}
        self.owner.get("/console-load", watch=lambda e: watched.setdefault("event", e))
        self.open_console(self.admin_port)
        stop = threading.Event()

        def load():  # reads and writes for the charts
            i = 0
            while not stop.is_set():
                self.owner.set("/console-load", str(i).encode())
                for _ in range(5):
                    self.owner.get_children("/")
                i += 1
        # Re-arm the watch after the first set fires it, so the sessions list shows one.
        t = threading.Thread(target=load)
        t.start()
        try:
            self.click('#tabs button[data-tab="metrics"]')
            wait_until(lambda: self.browser.execute_script(
                "return state.series.filter(s => s.writes_per_s > 0).length") >= 3, 20,
                what="three chart samples with writes")
        finally:
            stop.set()
            t.join()
        samples = self.browser.execute_script("return state.series")
        self.assertTrue(any(s["reads_per_s"] > 0 for s in samples))
        self.assertTrue(all(s["znodes"] > 0 for s in samples))
        # Every chart is drawn inside its own card: none spills over its neighbour (each
        # once took half the page in a grid of three cards a row).
        spill = self.browser.execute_script("""
            return [...document.querySelectorAll('.chart')].map(card => {
              const c = card.getBoundingClientRect();
              const p = card.querySelector('.uplot').getBoundingClientRect();
              return p.left >= c.left - 1 && p.right <= c.right + 1 ? null : card.id;
            }).filter(x => x);""")
        self.assertEqual(spill, [], "charts wider than their cards")
        self.shot("07-metrics.png")

        self.owner.get("/console-load", watch=lambda e: None)
        self.click('#tabs button[data-tab="sessions"]')
        session = "0x%x" % self.owner.client_id[0]
        self.wait_text("connections", session)
        self.wait_text("connections", "/console-load")
        self.shot("08-sessions.png")

        self.click('#tabs button[data-tab="ensemble"]')
        self.wait_text("server-role", "standalone")
        self.wait_text("members", "Standalone server")
        self.shot("09-server.png")

    def test_writes_need_the_console_header(self):
        # Another site's form could POST here but cannot add this header.
        status, body = http(self.admin_port, "POST", "/console/api/node",
                            {"path": "/csrf", "data": "x"})
        self.assertEqual(status, 403)
        self.assertIn("X-Paddock-Console", body["error"])
        self.assertIsNone(self.owner.exists("/csrf"))
        status, body = http(self.admin_port, "POST", "/console/api/node",
                            {"path": "/via-api", "data": "x"}, {"X-Paddock-Console": "1"})
        self.assertEqual(status, 201, body)
        self.assertEqual(self.owner.get("/via-api")[0], b"x")
        # ZooKeeper's admin commands answer as before beside the console.
        self.assertEqual(http(self.admin_port, "GET", "/commands/ruok")[0], 200)


class ReadOnlyConsole(OneServerConsole):
    console_cfg = {}

    def test_read_only_console_shows_but_refuses_writes(self):
        zk = kazoo(self.server.hostport)
        self.addCleanup(zk.stop)
        zk.create("/ro-node", b"leave me")
        self.open_console(self.admin_port)
        self.assertEqual(self.text("writes-badge"), "read-only")
        self.click_tree("/ro-node")
        self.wait_text("node-data", "leave me")
        self.assertFalse(self.browser.find_element(By.ID, "edit-button").is_displayed())
        self.assertFalse(self.browser.find_element(By.ID, "delete-button").is_displayed())
        self.shot("10-read-only.png")
        for method, path, body in (("PUT", "/console/api/node", {"path": "/ro-node", "data": "x"}),
                                   ("POST", "/console/api/node", {"path": "/ro-new", "data": ""}),
                                   ("DELETE", "/console/api/node?path=/ro-node", None)):
            status, answer = http(self.admin_port, method, path, body, {"X-Paddock-Console": "1"})
            self.assertEqual(status, 403, (method, answer))
            self.assertIn("admin.console.enableWrites=true", answer["error"])
        self.assertEqual(zk.get("/ro-node")[0], b"leave me")
        self.assertIsNone(zk.exists("/ro-new"))


class EnsembleConsole(ConsoleTestCase):
    """Every member's console lists all three with mode, zxid and lag (server lines carry
    each member's client port, as ZooKeeper 3.5+ configs do)."""

    @classmethod
    def setUpClass(cls):
        cls.ensemble = Ensemble(participants=3, start=False)
        try:
            cls.admin_ports = {}
            for sid, srv in cls.ensemble.members.items():
                cls.admin_ports[sid] = servers.free_port()
                srv.cfg.update({"admin.enableServer": "true", "admin.serverAddress": "127.0.0.1",
                                "admin.serverPort": str(cls.admin_ports[sid])})
                for other, o in cls.ensemble.members.items():
                    srv.cfg["server.%d" % other] += ";127.0.0.1:%d" % o.port
            cls.ensemble.start_all()
            super().setUpClass()
        except BaseException:
            cls.ensemble.close()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.ensemble.close()

    def test_members_with_zxid_and_lag(self):
        leader = wait_until(self.ensemble.leader, 30, what="a leader")
        zk = kazoo(self.ensemble.members[leader].hostport)
        self.addCleanup(zk.stop)
        for i in range(5):
            zk.create("/ens-%d" % i, b"x")
        follower = [s for s in self.ensemble.sids if s != leader][0]

        def members():
            status, body = http(self.admin_ports[follower], "GET", "/console/api/ensemble")
            self.assertEqual(status, 200)
            return body["members"]
        rows = wait_until(lambda: (lambda m: m if all(r["lag"] == 0 for r in m) else None)(members()),
                          15, what="every member caught up")
        self.assertEqual([r["sid"] for r in rows], [1, 2, 3])
        self.assertEqual(sorted(r["mode"] for r in rows), ["follower", "follower", "leader"])
        self.assertEqual(len({r["zxid"] for r in rows}), 1)
        self.assertEqual(int(rows[0]["zxid"], 16), self.ensemble.zxid(leader))

        self.open_console(self.admin_ports[follower])
        self.wait_text("server-badge", "follower")
        self.click('#tabs button[data-tab="ensemble"]')
        self.wait_text("members", "leader")
        self.wait_text("server-quorum", "leader")
        self.shot("11-ensemble.png")


if __name__ == "__main__":
    main()
