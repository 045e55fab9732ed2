"""paddockd's log settings (paddock.log.*): the level from a zoo.cfg key and from
-Dpaddock.log.level (the command line wins), a bad value refused with the line that set it,
JSON lines, and a log file rotated by size with at most maxFiles old files. Paddock only:
these are Paddock's own keys."""

import glob
import json
import os
import subprocess
import unittest

from harness import servers
from harness.base import main, wait_until


class LoggingTest(unittest.TestCase):
    def setUp(self):
        if servers.target() != "paddock":
            raise unittest.SkipTest("paddock.log.* are Paddock's keys")

    def server(self, cfg=None, props=None, start=True):
        srv = servers.make_server(cfg=cfg, props=props, kind="paddock", start=start)
        self.addCleanup(srv.close)
        return srv

    def output(self, srv):
        with open(srv.log_path, errors="replace") as f:
            return f.read()

    def test_level_from_zoo_cfg_and_the_command_line_wins(self):
        quiet = self.server(cfg={"paddock.log.level": "warn"})
        self.assertEqual(quiet.four_letter("ruok"), "imok")
        self.assertNotIn("event=serving", self.output(quiet))
        self.assertNotIn("unknown key", self.output(quiet))
        loud = self.server(cfg={"paddock.log.level": "warn"}, props={"paddock.log.level": "info"})
        self.assertIn("[info] event=serving mode=standalone", self.output(loud))

    def test_bad_level_names_the_line_and_stops_the_start(self):
        srv = self.server(cfg={"paddock.log.level": "loud"}, start=False)
        srv.write_cfg()
        lines = open(srv.cfg_path).read().splitlines()
        line_no = 1 + next(i for i, l in enumerate(lines) if l.startswith("paddock.log.level"))
        r = subprocess.run(srv.command(), capture_output=True, text=True, timeout=30)
        # Before a logger is configured, spdlog's default one writes to stdout.
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("zoo.cfg:%d: paddock.log.level: unknown log level 'loud'" % line_no,
                      r.stdout + r.stderr)

    def test_json_lines_in_a_file_rotated_by_size(self):
        log_dir = os.path.join(servers.tempfile.mkdtemp(prefix="paddock-logs-"), "logs")
        self.addCleanup(servers.shutil.rmtree, os.path.dirname(log_dir), True)
        log_file = os.path.join(log_dir, "paddockd.log")
        srv = self.server(cfg={"paddock.log.format": "json", "paddock.log.file": log_file,
                               "paddock.log.maxFileSize": "4KB", "paddock.log.maxFiles": "2"},
                          props={"paddock.log.level": "debug"})
        # Each connection's close is one debug line; 300 of them are ~10 files' worth.
        for _ in range(300):
            self.assertEqual(srv.four_letter("ruok"), "imok")
        wait_until(lambda: os.path.exists(os.path.join(log_dir, "paddockd.2.log")),
                   what="a second rotation")
        files = sorted(glob.glob(os.path.join(log_dir, "*")))
        self.assertEqual([os.path.basename(f) for f in files],
                         ["paddockd.1.log", "paddockd.2.log", "paddockd.log"])
        for f in files:
            self.assertLessEqual(os.path.getsize(f), 4096, f)
            with open(f) as fh:
                for line in fh:
                    obj = json.loads(line)
                    self.assertEqual(set(obj), {"time", "level", "thread", "tid", "logger",
                                                "message"}, line)
                    self.assertEqual(obj["logger"], "paddockd")
        with open(log_file) as fh:
            last = [json.loads(l) for l in fh][-1]
        self.assertEqual(last["level"], "debug")
        self.assertIn("connection closed", last["message"])
        # Nothing went to stderr once the file took over.
        self.assertNotIn("connection closed", self.output(srv))


if __name__ == "__main__":
    main()
