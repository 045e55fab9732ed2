#!/usr/bin/env python3
"""Smoke test of `paddock bench` (src/bench/): each mode runs for about a second against a
server started by the harness and prints one JSON line whose fields are sane. No figure is
asserted beyond "something was measured": timings depend on the machine.

    PYTHONPATH=tests PADDOCK_BIN=build/bin python3 tests/integration/test_bench_smoke.py -v
"""

import json
import os
import subprocess

from harness import servers
from harness.base import ServerTestCase, main


def paddock_cli():
    return os.path.join(os.path.dirname(servers.paddockd_path()), "paddock")


class BenchSmoke(ServerTestCase):
    def bench(self, *args, root="/bench-smoke"):
        argv = [paddock_cli(), "bench", "--servers", self.server.hostport, "--json",
                "--root", root, "--server-pid", str(self.server.proc.pid)] + list(args)
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, "paddock bench failed: %s" % proc.stderr)
        lines = proc.stdout.strip().splitlines()
        self.assertEqual(len(lines), 1, "expected one JSON line, got %r" % proc.stdout)
        return json.loads(lines[0])

    def assert_latency_ordered(self, lat):
        self.assertGreater(lat["p50"], 0)
        self.assertLessEqual(lat["p50"], lat["p99"])
        self.assertLessEqual(lat["p99"], lat["p999"])
        self.assertLessEqual(lat["p999"], lat["max"])

    def test_load_mode_reports_throughput_latency_and_cpu_for_every_op_kind(self):
        mix = "get=4,set=2,exists=1,children=1,create=1,delete=1,ephemeral=1,multi=1"
        r = self.bench("--duration", "1", "--warmup", "0.2", "--connections", "2", "--window",
                       "4", "--keys", "50", "--payload", "10", "--mix", mix)
        self.assertEqual(r["mode"], "load")
        self.assertGreater(r["ops"], 0)
        self.assertEqual(r["errors"], 0)
        self.assertGreater(r["throughput"], 0)
        self.assertGreaterEqual(r["elapsed_s"], 0.99)  # the span ends at its deadline
        self.assert_latency_ordered(r["latency_us"])
        self.assertEqual(set(r["per_op"]), {"get", "set", "exists", "children", "create",
                                            "delete", "ephemeral", "multi"})
        self.assertEqual(sum(v["ops"] for v in r["per_op"].values()), r["ops"])
        self.assertGreater(r["client_cpu_s"], 0)
        self.assertGreaterEqual(r["server_cpu_s"], 0)
        self.assertEqual(r["sessions"], 2)
        self.assertEqual(r["sessions_failed"], 0)

    def test_latency_mode_uses_one_connection_with_one_request_in_flight(self):
        r = self.bench("--mode", "latency", "--duration", "0.5", "--warmup", "0", "--keys",
                       "10", "--mix", "set=1")
        self.assertEqual(r["connections"], 1)
        self.assertEqual(r["window"], 1)
        self.assertGreater(r["per_op"]["set"]["ops"], 0)
        self.assert_latency_ordered(r["latency_us"])

    def test_watch_mode_delivers_every_notification_each_round(self):
        r = self.bench("--watchers", "20", "--rounds", "2")
        self.assertEqual(r["mode"], "watch")
        self.assertEqual(len(r["fanout_ms"]), 2)
        self.assertEqual(r["ops"], 40)  # 20 watchers x 2 rounds
        self.assertTrue(all(ms > 0 for ms in r["fanout_ms"]))
        self.assertEqual(r["sessions"], 21)

    def test_storm_mode_establishes_every_session(self):
        r = self.bench("--storm", "50")
        self.assertEqual(r["mode"], "storm")
        self.assertEqual(r["sessions"], 50)
        self.assertEqual(r["sessions_failed"], 0)
        self.assertGreater(r["storm_ms"], 0)
        self.assert_latency_ordered(r["latency_us"])

    def test_fill_mode_creates_exactly_the_asked_number_of_znodes(self):
        r = self.bench("--fill", "300", "--connections", "3", "--window", "8",
                       root="/bench-smoke-fill")
        self.assertEqual(r["mode"], "fill")
        self.assertEqual(r["ops"], 300)
        self.assertEqual(r["errors"], 0)
        zk = self.kazoo()  # the znodes are really there
        self.assertEqual(len(zk.get_children("/bench-smoke-fill/fill")), 300)

    def test_bad_mix_is_refused_before_connecting(self):
        proc = subprocess.run([paddock_cli(), "bench", "--servers", self.server.hostport,
                               "--mix", "frob=1"], capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("frob", proc.stderr)


if __name__ == "__main__":
    main()
