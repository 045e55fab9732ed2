"""The Debian package (make package), built from the build dir under test and installed
into a throw-away root.

1. cpack packs the binaries the normal build made (PADDOCK_BIN's build dir; no build of
   its own) into paddock_<version>_<arch>.deb in a temp dir.
2. lintian checks the .deb: any error, or any warning the package does not override with a
   reason (packaging/lintian-overrides), fails the test.
3. `dpkg --root=ROOT --force-script-chrootless -i` installs it into an empty ROOT. dpkg
   runs the package's real maintainer scripts without chroot (ROOT has no shell to chroot
   into) with DPKG_ROOT=ROOT, which they honour as debhelper's snippets do: systemd-sysusers
   and systemd-tmpfiles --root make the paddock user in ROOT/etc/passwd and ROOT/var/lib/
   paddock owned by it -- the host's users and /var stay untouched. ROOT has no other
   packages, so dependencies are forced (--force-depends); that the binaries' libraries
   resolve is checked by running them.
4. systemd-analyze verify --root=ROOT checks the installed unit against the installed files
   (its ExecStart binary exists there; ROOT also gets the host's systemd unit files, which
   the systemd package the package depends on would have put there: the targets of the
   unit's default dependencies), and systemd-analyze security rates its hardening.
5. The installed paddockd runs against the installed /etc/paddock/zoo.cfg, unchanged
   (port 2181, dataDir=/var/lib/paddock), as the paddock user of ROOT, in private network
   and mount namespaces: its own loopback, so port 2181 cannot clash with anything on the
   host, and ROOT/var/lib mounted on /var/lib, so its data lands in the throw-away root.
   The test waits for sd_notify READY=1 and talks to it with kazoo inside that network
   namespace, then stops it with SIGTERM (STOPPING=1, exit 0) and checks the data files it
   wrote are the paddock user's.
What this cannot check here: the unit's hardening under a running systemd (no systemd is
PID 1 in the test host); systemd-analyze verify and security check it statically."""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import textwrap
import time
import unittest

from harness import servers
from harness.base import main
from harness.notify import NotifyListener

BUILD_DIR = os.path.dirname(os.path.dirname(servers.paddockd_path()))


def run(cmd, shown=lambda line: True, **kw):
    """Runs cmd, echoing it and the lines of its output that `shown` keeps (the test's log is
    the package's report)."""
    print("$ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    out = "\n".join(l for l in (r.stdout + r.stderr).rstrip().splitlines() if shown(l))
    if out:
        print(textwrap.indent(out, "  "), flush=True)
    return r


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("installing into a root with dpkg and namespaces needs root")
        cls.tmp = tempfile.mkdtemp(prefix="paddock-package-")
        # mkdtemp makes it 0700: the installed server runs as the root's paddock user, which
        # must be able to reach /etc/paddock and /var/lib/paddock below it.
        os.chmod(cls.tmp, 0o755)
        cls.root = os.path.join(cls.tmp, "root")
        out = os.path.join(cls.tmp, "out")
        config = os.path.join(BUILD_DIR, "CPackConfig.cmake")
        if not os.path.exists(config):
            raise AssertionError("no %s: configure the build dir first" % config)
        start = time.monotonic()
        r = run(["cpack", "-G", "DEB", "--config", config, "-B", out], timeout=300)
        if r.returncode != 0:
            raise AssertionError("cpack failed")
        debs = glob.glob(os.path.join(out, "paddock_*.deb"))
        if len(debs) != 1:
            raise AssertionError("expected one paddock_*.deb in %s, found %s" % (out, debs))
        cls.deb = debs[0]
        print("packed %s in %.1fs" % (os.path.basename(cls.deb), time.monotonic() - start))
        os.makedirs(os.path.join(cls.root, "var/lib/dpkg/info"))
        os.makedirs(os.path.join(cls.root, "var/lib/dpkg/updates"))
        open(os.path.join(cls.root, "var/lib/dpkg/status"), "w").close()
        shutil.copytree("/lib/systemd/system", os.path.join(cls.root, "lib/systemd/system"),
                        symlinks=True)
        r = run(["dpkg", "--root=" + cls.root, "--force-script-chrootless", "--force-depends",
                 "--log=/dev/null", "-i", cls.deb], timeout=120)
        if r.returncode != 0:
            raise AssertionError("dpkg -i into %s failed" % cls.root)

    @classmethod
    def tearDownClass(cls):
        if not os.environ.get("PADDOCK_KEEP_DIRS"):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/"))

    def root_user(self, name):
        with open(self.path("/etc/passwd")) as f:
            for line in f:
                fields = line.strip().split(":")
                if fields[0] == name:
                    return int(fields[2]), int(fields[3]), fields[5], fields[6]
        self.fail("no user %s in %s" % (name, self.path("/etc/passwd")))

    def test_lintian_finds_no_error_or_unexplained_warning(self):
        r = run(["lintian", "--fail-on", "error,warning", "--display-level", ">=warning",
                 "--show-overrides", self.deb], timeout=300)
        self.assertEqual(r.returncode, 0, "lintian: %s" % (r.stdout + r.stderr))

    def test_installs_files_user_state_dir_and_conffile(self):
        for p in ("/usr/bin/paddockd", "/usr/bin/paddock"):
            self.assertTrue(os.access(self.path(p), os.X_OK), p)
        self.assertTrue(os.path.isfile(self.path("/etc/paddock/zoo.cfg")))
        self.assertTrue(os.path.isfile(self.path("/lib/systemd/system/paddock.service")))
        uid, gid, home, shell = self.root_user("paddock")
        self.assertLess(uid, 1000, "not a system user")
        self.assertEqual((home, shell), ("/var/lib/paddock", "/usr/sbin/nologin"))
        st = os.stat(self.path("/var/lib/paddock"))
        self.assertEqual((st.st_uid, st.st_gid, st.st_mode & 0o777), (uid, gid, 0o750))
        # The host was not touched.
        self.assertRaises(KeyError, pwd.getpwnam, "paddock")
        self.assertFalse(os.path.exists("/var/lib/paddock"))
        r = run(["dpkg-query", "--admindir=" + self.path("/var/lib/dpkg"), "-W",
                 "-f=${Status}\n${Conffiles}\n", "paddock"])
        self.assertIn("install ok installed", r.stdout)
        self.assertIn("/etc/paddock/zoo.cfg", r.stdout)

    def test_systemd_analyze_verifies_the_installed_unit(self):
        unit = self.path("/lib/systemd/system/paddock.service")
        r = run(["systemd-analyze", "verify", "--man=no", "--root=" + self.root, unit],
                timeout=60)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout + r.stderr, "", "verify printed complaints")
        r = run(["systemd-analyze", "security", "--offline=yes", "--root=" + self.root,
                 "--threshold=25", unit], shown=lambda l: "✗" in l or "Overall" in l,
                timeout=60)
        # Exposure is 0 (safe) .. 10 (unsafe); --threshold=25 fails above 2.5.
        self.assertEqual(r.returncode, 0, "exposure above 2.5")

    def test_installed_paddockd_serves_on_the_installed_config(self):
        uid, gid, _, _ = self.root_user("paddock")
        notify = NotifyListener()
        self.addCleanup(notify.close)
        os.chmod(notify.dir, 0o755)
        inside = ("ip link set lo up && mount --bind %s /var/lib && exec setpriv --reuid=%d "
                  "--regid=%d --clear-groups %s %s" % (
                      self.path("/var/lib"), uid, gid, self.path("/usr/bin/paddockd"),
                      self.path("/etc/paddock/zoo.cfg")))
        log_path = os.path.join(self.tmp, "paddockd.out")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(["unshare", "--mount", "--net", "--propagation", "private",
                                     "sh", "-c", inside],
                                    env=dict(os.environ, NOTIFY_SOCKET=notify.path),
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=log)

        def output():
            with open(log_path, errors="replace") as f:
                return f.read()

        def stop():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.addCleanup(stop)
        try:
            ready = notify.wait_for("READY", proc, timeout=60)
        except AssertionError as e:
            self.fail("%s\n%s" % (e, output()))
        self.assertEqual(ready.get("STATUS"), "serving client_port=2181")
        client = textwrap.dedent("""
            from kazoo.client import KazooClient
            zk = KazooClient(hosts="127.0.0.1:2181", timeout=10)
            zk.start(timeout=15)
            zk.create("/installed", b"from the package")
            data, stat = zk.get("/installed")
            assert data == b"from the package", data
            print("kazoo: /installed =", data.decode(), "czxid", hex(stat.czxid))
            zk.stop(); zk.close()
        """)
        r = run(["nsenter", "--net=/proc/%d/ns/net" % proc.pid, "/usr/bin/python3", "-c",
                 client], timeout=60)
        self.assertEqual(r.returncode, 0, output())
        r = run(["nsenter", "--net=/proc/%d/ns/net" % proc.pid, "sh", "-c",
                 "echo ruok | /usr/bin/python3 -c \"import socket,sys; s=socket.create_"
                 "connection(('127.0.0.1',2181)); s.sendall(b'ruok'); print(s.recv(16).decode())\""])
        self.assertEqual(r.stdout.strip(), "imok")
        os.kill(proc.pid, signal.SIGTERM)
        notify.wait_for("STOPPING", proc, timeout=15)
        self.assertEqual(proc.wait(15), 0, output())
        print("paddockd's output:\n" + textwrap.indent(output().rstrip(), "  "))
        written = [os.path.join(d, f) for d, _, fs in os.walk(self.path("/var/lib/paddock"))
                   for f in fs]
        self.assertTrue(written, "no data files under the installed dataDir")
        for f in written:
            self.assertEqual(os.stat(f).st_uid, uid, f)
        # The operator's tool runs from the root too and reads what the server wrote.
        r = run([self.path("/usr/bin/paddock"), "snapshot", "verify",
                 self.path("/var/lib/paddock")], timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    main()
