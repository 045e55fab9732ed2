"""Four-letter words: exact texts of ruok/isro/whitelist refusals, the line formats of srvr,
stat, mntr, conf, envi, wchs and cons that tools parse, and kazoo's use of them."""

import re

from harness import servers, zkwire as z
from harness.base import ServerTestCase, main, wait_until


def kv_lines(text, sep):
    out = {}
    for line in text.splitlines():
        if sep in line:
            k, v = line.split(sep, 1)
            out[k.strip()] = v.strip()
    return out


class FourLetterWords(ServerTestCase):
    def test_ruok_answers_imok_and_closes(self):
        self.assertEqual(self.server.four_letter("ruok"), "imok")

    def test_isro_answers_rw(self):
        self.assertEqual(self.server.four_letter("isro"), "rw")

    def test_srvr_lines(self):
        text = self.server.four_letter("srvr")
        lines = text.splitlines()
        self.assertTrue(lines[0].startswith("Zookeeper version: "), lines[0])
        self.assertRegex(text, r"(?m)^Latency min/avg/max: \d+/[\d.]+/\d+$")
        for key in ("Received", "Sent", "Connections", "Outstanding", "Node count"):
            self.assertRegex(text, r"(?m)^%s: \d+$" % key)
        self.assertRegex(text, r"(?m)^Zxid: 0x[0-9a-f]+$")
        self.assertIn("\nMode: standalone\n", text)
        self.assertTrue(text.endswith("\n"))

    def test_node_count_and_zxid_follow_writes(self):
        w = self.wire()
        p = self.unique()
        before = kv_lines(self.server.four_letter("srvr"), ":")
        w.create(p)
        w.create(p + "/c")
        after = kv_lines(self.server.four_letter("srvr"), ":")
        self.assertEqual(int(after["Node count"]), int(before["Node count"]) + 2)
        self.assertEqual(int(after["Zxid"], 16), w.last_zxid)
        # ZooKeeper's count is two more than the number of descendants of "/"
        self.assertEqual(int(after["Node count"]), w.get_all_children_number("/")[1] + 2)

    def test_stat_lists_clients(self):
        self.wire()
        text = self.server.four_letter("stat")
        self.assertTrue(text.startswith("Zookeeper version: "))
        self.assertIn("Clients:\n", text)
        self.assertRegex(text, r"(?m)^ /127\.0\.0\.1:\d+\[\d+\]\(queued=\d+,recved=\d+,sent=\d+")
        self.assertIn("\nMode: standalone\n", text)
        self.assertRegex(text, r"(?m)^Node count: \d+$")

    def test_mntr_keys(self):
        w = self.wire()
        p = self.unique()
        w.create(p, flags=z.EPHEMERAL)
        text = self.server.four_letter("mntr")
        lines = text.splitlines()
        self.assertTrue(all("\t" in l for l in lines), text[:500])
        self.assertTrue(lines[0].startswith("zk_version\t"))
        self.assertEqual(lines[1], "zk_server_state\tstandalone")
        kv = kv_lines(text, "\t")
        for key in ("zk_avg_latency", "zk_max_latency", "zk_min_latency", "zk_packets_received",
                    "zk_packets_sent", "zk_num_alive_connections", "zk_outstanding_requests",
                    "zk_znode_count", "zk_watch_count", "zk_ephemerals_count",
                    "zk_approximate_data_size", "zk_open_file_descriptor_count",
                    "zk_max_file_descriptor_count"):
            self.assertIn(key, kv)
        self.assertGreaterEqual(int(kv["zk_ephemerals_count"]), 1)
        self.assertGreaterEqual(int(kv["zk_num_alive_connections"]), 1)
        srvr = kv_lines(self.server.four_letter("srvr"), ":")
        self.assertEqual(kv["zk_znode_count"], srvr["Node count"])

    def test_mntr_counts_connect_requests_and_client_drops(self):
        def counters():
            kv = kv_lines(self.server.four_letter("mntr"), "\t")
            return {k: int(float(kv[k])) for k in ("zk_connection_request_count",
                                                    "zk_connection_drop_count")}
        before = counters()
        for _ in range(3):
            w = self.wire()  # a session: one ConnectRequest
            w.exists("/")
            w.close()         # the client ends the stream
        after = wait_until(lambda: (lambda c: c if c["zk_connection_drop_count"]
                                    >= before["zk_connection_drop_count"] + 3 else None)(
                                        counters()), what="three client drops counted")
        self.assertGreaterEqual(after["zk_connection_request_count"],
                                before["zk_connection_request_count"] + 3)

    def test_conf_shows_the_configuration(self):
        kv = kv_lines(self.server.four_letter("conf"), "=")
        self.assertEqual(kv["clientPort"], str(self.server.port))
        self.assertEqual(kv["tickTime"], "2000")
        self.assertEqual(kv["minSessionTimeout"], "4000")
        self.assertEqual(kv["maxSessionTimeout"], "40000")
        self.assertIn("dataDir", kv)
        self.assertIn("maxClientCnxns", kv)

    def test_envi_has_zookeeper_version_for_kazoo(self):
        text = self.server.four_letter("envi")
        self.assertTrue(text.startswith("Environment:\n"))
        self.assertRegex(text, r"(?m)^zookeeper\.version=\d+\.\d+\.\d+")
        zk = self.kazoo()
        version = zk.server_version()
        self.assertGreaterEqual(tuple(version[:2]), (3, 5))
        self.assertEqual(zk.command(b"ruok"), "imok")

    def test_wchs_counts_watches(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        w.get_data(p, watch=True)
        w.get_children(p, watch=True)
        w.exists(p + "/none", watch=True)
        text = self.server.four_letter("wchs")
        m = re.match(r"(\d+) connections watching (\d+) paths\nTotal watches:(\d+)\n$", text)
        self.assertTrue(m, repr(text))
        self.assertGreaterEqual(int(m.group(1)), 1)
        self.assertGreaterEqual(int(m.group(2)), 2)
        self.assertGreaterEqual(int(m.group(3)), 2)
        sid = "0x%x" % w.session_id
        wchc = self.server.four_letter("wchc")
        # a session line, then its watched paths (in no particular order), tab-indented
        block = wchc.split(sid + "\n", 1)[1].split("\n\n")[0] + "\n"
        self.assertIn("\t%s\n" % p, block)
        self.assertIn("\t%s/none\n" % p, block)
        wchp = self.server.four_letter("wchp")
        self.assertIn("%s\n\t%s\n" % (p, sid), wchp)
        self.assertIn("%s/none\n\t%s\n" % (p, sid), wchp)

    def test_unknown_word_gets_no_answer(self):
        self.assertEqual(self.server.four_letter("abcd"), "")
        self.assertEqual(self.server.four_letter("RUOK"), "")
        self.assertEqual(self.wire().exists("/")[0], 0)


class Whitelist(ServerTestCase):
    server_cfg = {"4lw.commands.whitelist": "ruok, srvr,isro"}

    def test_words_outside_the_whitelist_are_refused_with_a_message(self):
        for word in ("stat", "mntr", "conf", "envi", "cons", "wchs"):
            self.assertEqual(self.server.four_letter(word),
                             "%s is not executed because it is not in the whitelist.\n" % word)
        self.assertEqual(self.server.four_letter("ruok"), "imok")
        self.assertIn("Mode: standalone", self.server.four_letter("srvr"))


class DefaultWhitelist(ServerTestCase):
    server_cfg = {"4lw.commands.whitelist": None}

    def test_only_srvr_is_allowed_by_default(self):
        self.assertEqual(self.server.four_letter("ruok"),
                         "ruok is not executed because it is not in the whitelist.\n")
        self.assertIn("Mode: standalone", self.server.four_letter("srvr"))


if __name__ == "__main__":
    main()
