"""Tests of the differential machinery itself, on two Apache ZooKeepers: the order
isomorphism, the comparison, identical servers showing no difference, and
faked bugs (a wrong version, a wrong error code, zxids out of order) being caught with a
readable transcript."""

import unittest

from harness import servers
from differential.runner import Divergence, OrderIso, Zx, compare
from differential.opgen import Op
from differential.test_differential import PROPS, placement_normalize, run_seed


class OrderIsoTest(unittest.TestCase):
    def test_accepts_order_preserving_pairs_and_rejects_others(self):
        iso = OrderIso()
        self.assertTrue(iso.check(10, 100))
        self.assertTrue(iso.check(20, 150))
        self.assertTrue(iso.check(15, 120))     # between
        self.assertTrue(iso.check(10, 100))     # same pair again
        self.assertFalse(iso.check(10, 101))    # a maps elsewhere
        self.assertFalse(iso.check(11, 150))    # b already taken
        self.assertFalse(iso.check(30, 140))    # order broken
        self.assertFalse(iso.check(12, 130))    # must fall between 100 and 120

    def test_compare_walks_nested_results(self):
        iso = OrderIso()
        compare((0, Zx(5), [("v", 1)]), (0, Zx(7), [("v", 1)]), iso)
        with self.assertRaises(Divergence):
            compare((0, Zx(6), [("v", 1)]), (0, Zx(7), [("v", 1)]), iso)
        with self.assertRaises(Divergence):
            compare((0, [1, 2]), (0, [1]), OrderIso())
        with self.assertRaises(Divergence):
            compare((-101,), (-110,), OrderIso())


class PlacementNormalizeTest(unittest.TestCase):
    """The ensemble mode's one normalisation: only a reference OK against a target NOWATCHER
    of checkWatches is forgiven (a watcher on another member); nothing else is."""

    def test_only_a_checkwatches_ok_against_nowatcher_is_forgiven(self):
        op = Op(1, "checkWatches", path="/a", type=1)
        traces = [[], [("reply", -121)], [], []]
        rb, tb = placement_normalize(op, (0,), (-121,), traces)
        self.assertEqual(rb, (0,))
        self.assertEqual(tb[1], [("reply", 0)])
        # the other way round is a real difference and stays one
        rb, tb = placement_normalize(op, (-121,), (0,), [[], [("reply", 0)], [], []])
        self.assertEqual(rb, (0,))
        with self.assertRaises(Divergence):
            compare((-121,), rb, OrderIso())
        # other ops are left alone
        rm = Op(1, "removeWatches", path="/a", type=1)
        rb, tb = placement_normalize(rm, (0,), (-121,), traces)
        self.assertEqual(rb, (-121,))
        self.assertEqual(tb, traces)


class TwoZooKeepers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = servers.make_server(props=PROPS, kind="zookeeper")
        cls.b = servers.make_server(props=PROPS, kind="zookeeper")

    @classmethod
    def tearDownClass(cls):
        cls.a.close()
        cls.b.close()

    def run_pair(self, seed, mutate=None):
        # each run on its own base names, so that runs of one seed do not collide
        self.__class__.runs = getattr(self.__class__, "runs", 0) + 1
        return run_seed(seed, self.a.address, self.b.address, 60,
                        tgt_base="/diff-%d-run-%d" % (seed, self.runs), tgt_mutate=mutate,
                        ref_base="/diff-%d-run-%d" % (seed, self.runs))

    def test_identical_servers_show_no_difference(self):
        for seed in (101, 102, 103):
            self.assertIsNone(self.run_pair(seed))

    def test_a_wrong_stat_version_is_reported(self):
        def bump_version(op, result):
            if op.name == "setData" and result[0] == 0:
                st = list(result[2])
                st[4] = ("version", st[4][1] + 1)
                return result[:2] + (tuple(st),)
            return result
        t = self.run_pair(104, bump_version)
        self.assertIsNotNone(t)
        self.assertIn("DIVERGES", t)
        self.assertIn("setData", t.splitlines()[-6])
        self.assertIn("version", t)

    def test_a_wrong_error_code_is_reported(self):
        def swap_error(op, result):
            if result and result[0] == -101:
                return (-110,) + result[1:]
            return result
        t = self.run_pair(105, swap_error)
        self.assertIsNotNone(t)
        self.assertIn("-101 vs -110", t)

    def test_zxids_out_of_order_are_reported(self):
        state = {"n": 0}

        def shuffle(op, result):
            if op.name == "create" and result[0] == 0:
                state["n"] += 1
                if state["n"] == 3:
                    return (0, Zx(1)) + result[2:]
            return result
        t = self.run_pair(106, shuffle)
        self.assertIsNotNone(t)
        self.assertIn("zxid order differs", t)


if __name__ == "__main__":
    unittest.main(verbosity=2)
