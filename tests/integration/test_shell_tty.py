"""`paddock shell` in a real terminal (tmux on a private socket): the prompt, line editing,
history, tab completion of a command and of a znode path, the list of several matches, and
Ctrl-D. Against paddockd and Apache ZooKeeper 3.8."""

import os
import shutil
import subprocess
import time
import unittest

from harness import servers
from harness.base import main

PROPS = {"zookeeper.extendedTypesEnabled": "true"}


def paddock_bin():
    return os.path.join(os.path.dirname(servers.paddockd_path()), "paddock")


class Tmux:
    """One tmux server on a private socket, one window running `command`."""

    def __init__(self, command, name):
        self.socket = "paddock-shell-%d-%s" % (os.getpid(), name)
        self.tmux("new-session", "-d", "-s", "t", "-x", "160", "-y", "50", command)
        self.tmux("set-option", "-t", "t", "remain-on-exit", "on")
        self.socket_path = self.tmux("display-message", "-p", "#{socket_path}").strip()

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket] + list(args), capture_output=True,
                              text=True, timeout=30, check=True).stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def type(self, text):
        self.tmux("send-keys", "-t", "t", "-l", text)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "t", "-S", "-200")

    def wait_for(self, predicate, what, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            s = self.screen()
            if predicate(s):
                return s
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for %s; screen:\n%s" % (what, s))
            time.sleep(0.05)

    def wait_text(self, text, timeout=20.0):
        return self.wait_for(lambda s: text in s, repr(text), timeout)

    def dead(self):
        return self.tmux("list-panes", "-t", "t", "-F", "#{pane_dead}").strip() == "1"

    def kill(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)
        if self.socket_path.startswith("/") and os.path.basename(self.socket_path) == self.socket:
            try:
                os.unlink(self.socket_path)  # tmux leaves it behind
            except FileNotFoundError:
                pass


@unittest.skipIf(shutil.which("tmux") is None, "tmux is not installed")
class TtyCases:
    kind = None
    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = servers.make_server(kind=cls.kind, props=PROPS)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.term = Tmux("%s shell -server %s" % (paddock_bin(), self.server.hostport),
                         "%s-%s" % (self.kind, self._testMethodName))
        self.addCleanup(self.term.kill)
        # capture-pane drops trailing blanks: prompts are matched without theirs.
        self.prompt = "[zk: %s(CONNECTED) " % self.server.hostport
        self.term.wait_text(self.prompt + "0]")

    def run_line(self, n, text):
        """Types `text` at prompt number n, presses Enter and waits for prompt n+1."""
        self.term.type(text)
        self.term.keys("Enter")
        return self.term.wait_text(self.prompt + "%d]" % (n + 1))

    def test_editing_keys_change_the_line_before_it_runs(self):
        p = "/tty-edit-%s" % self.kind
        # Typed without the command, which is inserted at the start with Ctrl-A.
        self.term.type("%s data1" % p)
        self.term.keys("C-a")
        self.term.type("create ")
        self.term.keys("Enter")
        s = self.term.wait_text(self.prompt + "1]")
        self.assertIn("Created %s" % p, s)
        # Typos fixed with Backspace at the end and an insert after Ctrl-A, Right.
        self.term.type("gt %sXX" % p)
        self.term.keys("BSpace", "BSpace", "C-a", "Right")
        self.term.type("e")
        self.term.wait_text(self.prompt + "1] get %s" % p)
        self.term.keys("Enter")
        s = self.term.wait_text(self.prompt + "2]")
        self.assertIn("\ndata1\n", s)

    def test_history_recalls_the_previous_line_and_history_lists_it(self):
        p = "/tty-hist-%s" % self.kind
        self.run_line(0, "create %s v" % p)
        self.run_line(1, "get %s" % p)
        self.term.keys("Up")
        self.term.wait_text(self.prompt + "2] get %s" % p)
        self.term.keys("Enter")
        s = self.term.wait_text(self.prompt + "3]")
        self.assertEqual(s.count("\nv\n"), 2)
        s = self.run_line(3, "history")
        self.assertIn("0 - create %s v\n1 - get %s\n2 - get %s\n3 - history" % (p, p, p), s)

    def test_tab_completes_a_command_and_a_znode_path(self):
        p = "/tty-tab-%s" % self.kind
        self.run_line(0, "create %s" % p)
        self.run_line(1, "create %s/workers" % p)
        self.run_line(2, "create %s/workers/w-1 busy" % p)
        # Command: "getAllC" + Tab -> "getAllChildrenNumber ".
        self.term.type("getAllC")
        self.term.keys("Tab")
        self.term.wait_text(self.prompt + "3] getAllChildrenNumber")
        # Path: "/tty-tab-x/wo" + Tab -> ".../workers".
        self.term.type("%s/wo" % p)
        self.term.keys("Tab")
        self.term.wait_text(self.prompt + "3] getAllChildrenNumber %s/workers" % p)
        self.term.keys("Enter")
        s = self.term.wait_text(self.prompt + "4]")
        self.assertIn("getAllChildrenNumber %s/workers\n1\n" % p, s)
        # Deeper: the child of the completed path.
        self.term.type("get %s/workers/w" % p)
        self.term.keys("Tab")
        self.term.wait_text(self.prompt + "4] get %s/workers/w-1" % p)
        self.term.keys("Enter")
        self.assertIn("\nbusy\n", self.term.wait_text(self.prompt + "5]"))

    def test_tab_with_several_matches_lists_them(self):
        self.term.type("getA")
        self.term.keys("Tab")
        s = self.term.wait_for(lambda s: "getAcl  getAllChildrenNumber" in s, "the list of matches")
        self.assertIn(self.prompt + "0] getA", s.split("getAcl  getAllChildrenNumber")[1])
        self.term.keys("C-u")
        self.term.type("quit")
        self.term.keys("Enter")
        self.term.wait_for(lambda s: self.term.dead(), "the shell to exit after quit")

    def test_ctrl_d_on_an_empty_line_exits(self):
        self.term.keys("C-d")
        self.term.wait_for(lambda s: self.term.dead(), "the shell to exit on Ctrl-D")


class TtyOnPaddock(TtyCases, unittest.TestCase):
    kind = "paddock"


class TtyOnZooKeeper(TtyCases, unittest.TestCase):
    kind = "zookeeper"


if __name__ == "__main__":
    main()
