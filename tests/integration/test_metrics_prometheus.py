"""/metrics scraped by a real Prometheus server (Debian's `prometheus`).

The test starts paddockd with ZooKeeper's Prometheus provider keys (metricsProvider.*) on
a free loopback port and Prometheus on loopback with a 1 s scrape interval and a temp
storage dir, does known work through kazoo (creates, sets, data watches, ephemerals),
waits for scrapes and queries Prometheus's HTTP API: the series exist with ZooKeeper's
names and types and their values are what the test did. Always paddockd: Debian's
ZooKeeper 3.8 lacks the Prometheus provider jars, so it has nothing to scrape."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest
import urllib.parse
import urllib.request

from harness import servers
from harness.base import ServerTestCase, main, wait_until

PROMETHEUS = "/usr/bin/prometheus"
PROVIDER = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider"
DASHBOARD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ops",
                         "grafana", "paddock.json")
# Series only a quorum member (or its leader) has; a standalone server cannot show them.
ENSEMBLE_ONLY = {"quorum_size", "learners", "synced_followers", "synced_observers",
                 "pending_syncs", "last_proposal_size", "max_proposal_size", "min_proposal_size",
                 "leader_uptime"}
PROMQL_WORDS = {"rate", "irate", "increase", "instance", "quantile", "by", "sum", "avg"}


def http_get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read().decode()


def parse_exposition(text):
    """{"name{labels}": value} of a Prometheus text body."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


class PrometheusProcess:
    """Prometheus on loopback scraping one target every second, its data in a temp dir."""

    def __init__(self, target):
        self.dir = tempfile.mkdtemp(prefix="paddock-prometheus-")
        self.port = servers.free_port()
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: paddock\n"
                "    static_configs:\n      - targets: ['%s']\n" % target)
        self.log = open(os.path.join(self.dir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            [PROMETHEUS, "--config.file=" + config,
             "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=servers._die_with_parent)
        wait_until(self.ready, timeout=60, what="prometheus ready")

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("prometheus exited: %s" % self.log_tail())
        try:
            return http_get(self.url("/-/ready"))[0] == 200
        except OSError:
            return False

    def api(self, path, **params):
        status, _, body = http_get(self.url(path + "?" + urllib.parse.urlencode(params)))
        reply = json.loads(body)
        if reply.get("status") != "success":
            raise AssertionError("%s: %s" % (path, body))
        return reply["data"]

    def query(self, expr):
        """{labels-without-__name__ as a sorted tuple: value} of an instant query."""
        out = {}
        for r in self.api("/api/v1/query", query=expr)["result"]:
            labels = tuple(sorted((k, v) for k, v in r["metric"].items()
                                  if k not in ("__name__", "job", "instance")))
            out[labels] = float(r["value"][1])
        return out

    def value(self, expr):
        """The single value of `expr`, or None when it has no series yet."""
        result = self.query(expr)
        return next(iter(result.values())) if len(result) == 1 else None

    def wait_value(self, expr, want, timeout=30):
        wait_until(lambda: self.value(expr) == want, timeout=timeout,
                   what="%s == %s (last %s)" % (expr, want, self.value(expr)))

    def log_tail(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()[-2000:]

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class MetricsScrapedByPrometheus(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.metrics_port = servers.free_port()
        cls.server = servers.make_server(kind="paddock", cfg={
            "metricsProvider.className": PROVIDER,
            "metricsProvider.httpHost": "127.0.0.1",
            "metricsProvider.httpPort": cls.metrics_port,
            "metricsProvider.exportJvmInfo": "false",
        })
        try:
            cls.prometheus = PrometheusProcess("127.0.0.1:%d" % cls.metrics_port)
        except BaseException:
            cls.server.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.prometheus.close()
        super().tearDownClass()

    def scrape(self):
        status, content_type, body = http_get("http://127.0.0.1:%d/metrics" % self.metrics_port)
        self.assertEqual(status, 200)
        self.assertTrue(content_type.startswith("text/plain; version=0.0.4"), content_type)
        return parse_exposition(body)

    def test_values_follow_the_work_done_through_kazoo(self):
        p = self.prometheus
        p.wait_value('up{job="paddock"}', 1.0)
        before = self.scrape()
        writes_before = before["updatelatency_count"]
        reads_before = before["readlatency_count"]

        zk = self.kazoo()
        owner = self.kazoo()
        zk.create("/m")
        for i in range(5):
            zk.create("/m/n%d" % i, b"v")
        for i in range(3):
            zk.set("/m/n%d" % i, b"changed")
        owner.create("/m/e1", ephemeral=True)
        owner.create("/m/e2", ephemeral=True)
        fired = []
        for i in range(4):  # four data watches on four paths, one connection
            zk.get("/m/n%d" % i, watch=fired.append)
        writes = 1 + 5 + 3 + 2
        reads = 4

        # Values as of a scrape taken after the work: the ephemerals are the last change.
        p.wait_value('ephemerals_count{job="paddock"}', 2.0)
        p.wait_value('watch_count{job="paddock"}', 4.0)
        p.wait_value("znode_count", before["znode_count"] + 8)
        self.assertGreaterEqual(p.value("num_alive_connections"), 2)
        self.assertGreaterEqual(p.value("updatelatency_count") - writes_before, writes)
        self.assertGreaterEqual(p.value("readlatency_count") - reads_before, reads)
        self.assertEqual(p.value("global_sessions"), before["global_sessions"] + 2)
        self.assertGreater(p.value("approximate_data_size"), before["approximate_data_size"])

        # Summaries with ZooKeeper's quantiles; the log's figures (forceSync is on).
        self.assertEqual(sorted(q for ((_, q),) in p.query("readlatency").keys()),
                         ["0.5", "0.9", "0.99"])
        self.assertEqual(list(p.query("fsynctime").keys()), [(("quantile", "0.5"),)])
        self.assertGreaterEqual(p.value("fsynctime_count"), 1)
        self.assertGreaterEqual(p.value("sync_processor_batch_size_count"), 1)
        self.assertGreaterEqual(p.value("paddock_group_commit_records_sum"), writes)
        self.assertGreater(p.value("paddock_pipeline_turns_total"), 0)
        self.assertGreater(p.value("paddock_network_loop_turns_total"), 0)
        self.assertGreater(p.value("paddock_resident_bytes_per_znode"), 0)

        # A closed session's ephemerals leave; a fired watch leaves the count.
        owner.stop()
        zk.set("/m/n0", b"again")
        wait_until(lambda: fired, what="the watch on /m/n0 to fire")
        p.wait_value('ephemerals_count{job="paddock"}', 0.0)
        p.wait_value('watch_count{job="paddock"}', 3.0)

    def test_types_are_zookeepers(self):
        p = self.prometheus
        wait_until(lambda: p.api("/api/v1/metadata", metric="znode_count"), timeout=30,
                   what="metadata of a scrape")
        want = {"znode_count": "gauge", "outstanding_requests": "gauge",
                "num_alive_connections": "gauge", "readlatency": "summary",
                "updatelatency": "summary", "fsynctime": "summary",
                "paddock_pipeline_turns_total": "counter"}
        for name, kind in want.items():
            meta = p.api("/api/v1/metadata", metric=name)
            self.assertEqual(meta[name][0]["type"], kind, name)

    def test_mntr_and_metrics_agree(self):
        zk = self.kazoo()
        zk.ensure_path("/agree")
        mntr = {}
        for line in self.server.four_letter("mntr").splitlines():
            k, v = line.split("\t", 1)
            mntr[k] = v
        scraped = self.scrape()
        # Nothing happens between the two: the tree's figures are equal.
        for name in ("znode_count", "ephemerals_count", "watch_count", "approximate_data_size",
                     "global_sessions", "cnt_fsynctime"):
            key = name.replace("cnt_fsynctime", "fsynctime_count")
            self.assertEqual(float(mntr["zk_" + name]), scraped[key], name)
        # Every series has its mntr line: zk_<name>, or zk_cnt_<summary> for a summary's parts.
        for key in scraped:
            name = key.split("{")[0]
            summary = name if "{quantile=" in key else name.rsplit("_", 1)[0]
            if "{quantile=" in key or "zk_cnt_" + summary in mntr:
                self.assertIn("zk_cnt_" + summary, mntr, key)
            else:
                self.assertIn("zk_" + name, mntr, key)

    def test_dashboard_reads_only_series_the_server_exports(self):
        with open(DASHBOARD) as f:
            dashboard = json.load(f)
        exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
        self.assertGreater(len(exprs), 20)
        scraped = {key.split("{")[0] for key in self.scrape()}
        for expr in exprs:
            without_labels = re.sub(r"\{[^}]*\}|\[[^]]*\]", "", expr)
            for name in re.findall(r"[a-z_][a-z0-9_]*", without_labels):
                if name in PROMQL_WORDS or name in ENSEMBLE_ONLY:
                    continue
                self.assertIn(name, scraped, "dashboard expression %r" % expr)


if __name__ == "__main__":
    if not os.path.exists(PROMETHEUS):
        raise SystemExit("%s is missing: run `make deps` (Debian package prometheus)" % PROMETHEUS)
    main()
