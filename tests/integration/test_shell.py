"""`paddock shell` (src/shell) against paddockd and Apache ZooKeeper 3.8, each test on both:
every command, compared with zkCli.sh running the same script against the same server
(stat times and zxids masked, the znode prefix replaced), watch events, one-shot exit
statuses, standard-input mode and --json."""

import json
import os
import re
import subprocess
import unittest

from harness import servers
from harness.base import main, wait_until
from harness.clis import run_zkcli

PROPS = {"zookeeper.extendedTypesEnabled": "true"}
_BANNER = re.compile(r"^(Connecting to |Welcome to |JLine support|libedit support)")
_MASKED = re.compile(r"^(cZxid|ctime|mZxid|mtime|pZxid|ephemeralOwner) = .*$")


def paddock_bin():
    return os.path.join(os.path.dirname(servers.paddockd_path()), "paddock")


def normalize(text, prefix):
    """Drops the banner, masks what differs between two runs (times, zxids, owners) and puts
    <P> for the run's znode prefix."""
    lines = []
    for line in text.replace(prefix, "<P>").splitlines():
        if _BANNER.match(line):
            continue
        lines.append(_MASKED.sub(r"\1 = *", line))
    return "\n".join(lines)


# Commands compared with zkCli.sh line by line; {P} is the run's own top-level znode.
COMPARED = """
create {P}
create {P}/a hello
create {P}/a again
create -e {P}/e
create -s {P}/s- sdata
create -s -e {P}/se-
create -c {P}/cont
create {P}/x/y/z
create {P}/q "hello world"
create {P}/empty ""
get {P}/q
get {P}/empty
get {P}/cont
get -s {P}/a
ls {P}
ls -s {P}
ls -R {P}
set {P}/a v2
set -s {P}/a v3
set -v 99 {P}/a zz
stat {P}/a
stat {P}/none
get {P}/none
ls {P}/none
delete {P}
delete -v 5 {P}/a
delete {P}/none
delete {P}/e
getAcl {P}/a
getAcl -s {P}/a
sync {P}
getEphemerals {P}
getAllChildrenNumber {P}
create noslash
get {P}/
create -t 0 {P}/ttl
create -t abc {P}/ttl
create -c -e {P}/ttl
create -t 100 -e {P}/ttl
create {P}/zz -1
create -t 600000 {P}/ttl x
ls
set {P}/a
printwatches
printwatches off
printwatches
printwatches on
history
redo 0
redo 999
setAcl {P}/a world:anyone:cdrw,bad,world:anyone:rxz
getAcl {P}/a
setAcl -s {P}/a world:anyone:cdrwa
setAcl {P}/a bad
setAcl -R {P}/q world:anyone:cdra
setAcl -v 99 {P}/q world:anyone:cdrwa
getAcl {P}/q
addauth digest u:p
whoami
create {P}/ac x auth:u:p:cdrwa
getAcl {P}/ac
create {P}/noacl x bad
setAcl {P}/ac world:anyone:r
set {P}/ac y
config
setquota -n 5 {P}
setquota -b 100 {P}
listquota {P}
setquota -N 10 {P}
listquota {P}
setquota -n 3 {P}/a
setquota -n 3 {P}/none
setquota -n 0 {P}
delquota -n {P}
listquota {P}
delquota {P}
listquota {P}
delquota {P}
removewatches {P}
deleteall {P}/none
deleteall -b 2 {P}
ls {P}
"""

# Watches of every kind; the comparison is of the WatchedEvent lines alone, in order (when
# zkCli prints an event relative to the next command's output is up to its event thread).
WATCHES = """
create {P} x
create {P}/w 0
get -w {P}/w
get -w {P}/w
stat -w {P}/w
set {P}/w 1
ls -w {P}
create {P}/c
stat -w {P}/late
create {P}/late
addWatch {P}
set {P}/w 2
create {P}/w/deep
addWatch -m PERSISTENT {P}/w
set {P}/w 3
removewatches {P}/w
set {P}/w 4
get -w {P}/c
removewatches {P}/c -d
removewatches {P}/c
delete {P}/w/deep
ls -R -w {P}/c
create {P}/c/k
set {P}/c v
"""


CLOSING_EVENT = "WatchedEvent state:Closed type:None path:null"


def without_closing_event(text):
    """The text without the Closed event printed last. zkCli prints it from its event thread
    while its main thread calls System.exit after close(), so now and then it does not get to;
    both shells' texts lose it for the comparison, and the tests that need it look for it in
    ours."""
    lines = text.splitlines()
    if lines and lines[-1] == CLOSING_EVENT:
        lines.pop()
    return "\n".join(lines) + ("\n" if lines and text.endswith("\n") else "")


class ShellCases:
    kind = None
    server = None
    _n = 0

    @classmethod
    def setUpClass(cls):
        cls.server = servers.make_server(kind=cls.kind, props=PROPS)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def prefix(self, tag):
        ShellCases._n += 1
        return "/sh-%s-%s-%d" % (tag, self.kind, ShellCases._n)

    def shell(self, lines, *opts, timeout=60):
        """`paddock shell` reading `lines` on stdin: (stdout, stderr, exit status)."""
        p = subprocess.run([paddock_bin(), "shell", "-server", self.server.hostport] + list(opts),
                           input="".join(l + "\n" for l in lines), capture_output=True, text=True,
                           timeout=timeout)
        return p.stdout, p.stderr, p.returncode

    def oneshot(self, *args, timeout=60):
        p = subprocess.run([paddock_bin(), "shell", "-server", self.server.hostport] + list(args),
                           capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        return p.stdout, p.stderr, p.returncode

    def compare_with_zkcli(self, script, streams=("out", "err"), only=None):
        ours_p, zk_p = self.prefix("ours"), self.prefix("zk")
        ours_lines = [l.format(P=ours_p) for l in script.strip().splitlines()] + ["quit"]
        zk_lines = [l.format(P=zk_p) for l in script.strip().splitlines()]
        out, err, _ = self.shell(ours_lines)
        zout, zerr = run_zkcli(self.server.hostport, zk_lines)
        keep = (lambda t: "\n".join(l for l in t.splitlines() if only.match(l))) if only else (lambda t: t)
        if "out" in streams:
            self.assertEqual(keep(without_closing_event(normalize(out, ours_p))),
                             keep(without_closing_event(normalize(zout, zk_p))))
        if "err" in streams:
            self.assertEqual(normalize(err, ours_p), normalize(zerr, zk_p))
        return out, err

    # --- compared with zkCli.sh -----------------------------------------------------------
    def test_every_command_prints_what_zkcli_prints(self):
        out, err = self.compare_with_zkcli(COMPARED)
        # Not vacuous: the texts the comparison covers are there.
        self.assertIn("Node already exists: ", err)
        self.assertIn("version No is not valid : ", err)
        self.assertIn("Insufficient permission : ", err)
        self.assertIn("Output quota for ", out)
        self.assertIn("'digest,'u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ=\n: cdrwa", out)
        self.assertIn(CLOSING_EVENT, out)

    def test_watch_events_print_as_zkcli_prints_them(self):
        out, _ = self.compare_with_zkcli(WATCHES, streams=("out",), only=re.compile("^WatchedEvent "))
        self.assertIn("WatchedEvent state:SyncConnected type:NodeDataChanged path:", out)
        self.assertIn("type:PersistentWatchRemoved", out)
        # get -w twice and stat -w on one node: one event, as zkCli's single watcher.
        self.assertEqual(len(re.findall(r"type:NodeDataChanged path:/sh-ours-[^/]*/w\n", out)), 4)

    def test_errors_in_a_subtree_walk_print_as_zkcli(self):
        # ls -R and setAcl -R skip only a node deleted meanwhile: a child they may not read
        # is reported (and setAcl -R sets each ACL as it goes, as zkCli).
        script = """
create {P}
create {P}/a
create {P}/a/b
create {P}/c
create {P}/d
create {P}/d/e
setAcl {P}/a world:anyone:a
ls -R {P}
setAcl -R {P}/d world:anyone:a
"""
        _, err = self.compare_with_zkcli(script)
        self.assertIn("Insufficient permission : ", err)
        p = self.prefix("walk")
        self.shell(["create %s" % p, "create %s/a" % p, "create %s/a/b" % p,
                    "setAcl %s/a world:anyone:a" % p])
        out, err, rc = self.oneshot("ls", "-R", p)
        self.assertEqual(rc, 1, err)
        self.assertEqual(out.splitlines()[-2:], [p, p + "/a"])
        self.assertEqual(self.oneshot("setAcl", "-R", p, "world:anyone:a")[2], 1)

    def test_versions_outside_int_are_refused_as_zkcli(self):
        # zkCli's Integer.parseInt refuses them (its uncaught NumberFormatException ends zkCli
        # with 'For input string: "4294967295"'); cast to 32 bits, 4294967295 would be -1, any
        # version. The message is zkCli's; the shell goes on as it does for -v abc.
        p = self.prefix("ver")
        self.shell(["create %s" % p])
        for args, value in ((["delete", "-v", "4294967295", p], "4294967295"),
                            (["set", "-v", "99999999999", p, "v"], "99999999999"),
                            (["setAcl", "-v", "4294967295", p, "world:anyone:a"], "4294967295")):
            out, err, rc = self.oneshot(*args)
            self.assertEqual(rc, 1, args)
            self.assertEqual(err.splitlines()[-1], 'For input string: "%s"' % value, args)
        out, err, rc = self.oneshot("get", "-s", p)
        self.assertEqual(rc, 0, err)  # neither deleted, nor set, nor its ACL changed
        self.assertIn("dataVersion = 0\naclVersion = 0\n", out)
        out, err, rc = self.oneshot("deleteall", "-b", "4294967296", p)
        self.assertEqual((rc, err.splitlines()[-1]), (1, "-b argument must be an int value"))

    # --- our own checks ------------------------------------------------------------------
    def test_oneshot_exit_status_says_whether_it_worked(self):
        p = self.prefix("one")
        out, err, rc = self.oneshot("create", p, "a b")
        self.assertEqual(rc, 0, err)
        self.assertIn("Created %s" % p, err)
        out, err, rc = self.oneshot("get", p)
        self.assertEqual((rc, out.splitlines()[-1]), (0, "a b"))
        self.assertEqual(self.oneshot("get", p + "/none")[2], 1)
        self.assertEqual(self.oneshot("create", p)[2], 1)
        self.assertEqual(self.oneshot("ls")[2], 1)
        out, err, rc = self.oneshot("nosuchcommand")
        self.assertEqual(rc, 127)
        self.assertIn("Command not found: Command not found nosuchcommand", err)
        self.assertIn("\tls [-s] [-w] [-R] path", err)
        # A one-shot run does not close its session on the way out (no Closed event).
        self.assertNotIn("state:Closed", self.oneshot("ls", p)[0])

    def test_oneshot_against_a_dead_server_fails(self):
        port = servers.free_port()
        p = subprocess.run([paddock_bin(), "shell", "-server", "127.0.0.1:%d" % port, "-timeout",
                            "1000", "ls", "/"], capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 1)
        self.assertIn("ConnectionLoss", p.stderr)

    def test_stdin_mode_runs_each_line_and_exits_with_the_last_status(self):
        p = self.prefix("stdin")
        out, err, rc = self.shell(["create %s" % p, "", "   ", "ls %s" % p, "get %s/none" % p])
        self.assertEqual(rc, 1)
        self.assertIn("[]", out.splitlines())
        self.assertIn("Node does not exist: %s/none" % p, err)
        out, err, rc = self.shell(["get %s/none" % p, "ls %s" % p])
        self.assertEqual(rc, 0)
        # Commands after quit are not run.
        out, err, rc = self.shell(["quit", "create %s/after" % p])
        self.assertEqual(rc, 0)
        self.assertNotIn("Created", err)
        self.assertEqual(self.oneshot("stat", p + "/after")[2], 1)

    def test_close_then_not_connected_then_connect(self):
        p = self.prefix("close")
        out, err, rc = self.shell(["create %s" % p, "close", "ls %s" % p,
                                   "connect %s" % self.server.hostport, "ls %s" % p])
        lines = out.splitlines()
        self.assertIn("Not connected", lines)
        i = lines.index("Not connected")
        self.assertIn("WatchedEvent state:Closed type:None path:null", lines[:i])
        self.assertIn("WatchedEvent state:SyncConnected type:None path:null", lines[i:])
        self.assertEqual(lines[-1], "[]")
        self.assertEqual(rc, 0)

    def test_chroot_in_the_server_string(self):
        p = self.prefix("chroot")
        self.assertEqual(self.oneshot("create", p)[2], 0)
        out, err, rc = subprocess.run(
            [paddock_bin(), "shell", "-server", self.server.hostport + p], capture_output=True,
            text=True, timeout=60, input="create /inside x\nls /\nget /inside\n").stdout, None, None
        lines = out.splitlines()
        self.assertIn("[inside]", lines)
        self.assertEqual(lines[-1], "x")
        self.assertEqual(self.oneshot("get", p + "/inside")[0].splitlines()[-1], "x")

    def test_ephemerals_go_with_the_session(self):
        p = self.prefix("eph")
        out, err, rc = self.shell(["create %s" % p, "create -e %s/e" % p, "getEphemerals %s" % p])
        self.assertIn("[%s/e]" % p, out.splitlines())
        out, err, rc = self.oneshot("ls", p)
        self.assertEqual(out.splitlines()[-1], "[]")

    def test_json_output_one_object_per_line(self):
        p = self.prefix("json")
        out, err, rc = self.shell(["create %s x" % p, "get -w %s" % p, "set %s y" % p,
                                   "ls %s" % p, "stat %s/none" % p, "getAcl %s" % p,
                                   "bogus"], "--json")
        self.assertEqual(err, "")
        objs = [json.loads(l) for l in out.splitlines()]
        results = [o for o in objs if "command" in o]
        events = [o["event"] for o in objs if "event" in o]
        self.assertEqual([r["command"] for r in results],
                         ["create", "get", "set", "ls", "stat", "getAcl", "bogus"])
        self.assertEqual(results[0]["created"], p)
        self.assertEqual(results[1]["data"], "x")
        self.assertEqual(results[1]["stat"]["dataLength"], 1)
        self.assertEqual(results[2]["stat"]["version"], 1)
        self.assertEqual(results[3]["children"], [])
        self.assertEqual((results[4]["ok"], results[4]["error"]["code"]), (False, "NONODE"))
        self.assertEqual(results[4]["error"]["message"], "Node does not exist: %s/none" % p)
        self.assertEqual(results[5]["acl"], [{"scheme": "world", "id": "anyone", "perms": "cdrwa"}])
        self.assertEqual((results[6]["status"], results[6]["ok"]), (127, False))
        self.assertIn({"state": "SyncConnected", "type": "NodeDataChanged", "path": p}, events)
        self.assertEqual(rc, 127)
        out, err, rc = self.oneshot("--json", "get", p)
        last = json.loads(out.splitlines()[-1])
        self.assertEqual((rc, last["ok"], last["data"]), (0, True, "y"))

    def test_json_mode_keeps_binary_and_null_data_valid(self):
        p = self.prefix("jnull")
        out, _, rc = self.shell(["create %s" % p, "get %s" % p], "--json")
        self.assertEqual(rc, 0)
        got = [json.loads(l) for l in out.splitlines() if '"command"' in l]
        self.assertIsNone(got[1]["data"])

    def test_deleteall_stops_at_the_first_failed_batch(self):
        # ZKUtil.deleteInBatch fails fast: no batch is sent after one failed.
        p = self.prefix("delall")
        self.shell(["create %s" % p, "create %s/a" % p, "create %s/a/b" % p, "create %s/c" % p,
                    "setAcl %s/a world:anyone:rwa" % p])  # /a/b cannot be deleted
        out, err, rc = self.oneshot("deleteall", "-b", "1", p)
        self.assertEqual(rc, 1, err)
        self.assertIn("Failed to delete some node(s) in the subtree!", err)
        self.assertEqual(self.oneshot("stat", p + "/c")[2], 0)  # the batch after it not sent

    def test_read_only_option_warns_that_it_is_not_supported(self):
        out, err, rc = self.oneshot("-r", "ls", "/")
        self.assertEqual(rc, 0, err)
        self.assertIn("Warning: -r (read-only mode) is not supported", err)

    def test_bad_server_option(self):
        p = subprocess.run([paddock_bin(), "shell", "-server"], capture_output=True, text=True,
                           timeout=30, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Error: no argument found for option -server", p.stderr)


class ShellOnPaddock(ShellCases, unittest.TestCase):
    kind = "paddock"


class ShellOnZooKeeper(ShellCases, unittest.TestCase):
    kind = "zookeeper"


if __name__ == "__main__":
    main()
