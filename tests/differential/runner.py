"""Runs generated ops against two servers in lock step and compares normalized results.

Each side has its own raw wire clients (one session per slot). After every op, every client
pings and reads up to the ping's reply, so the watch events an op caused are collected at a
deterministic point; the acting client's trace also shows whether its events came before its
reply. Results are normalized:
  - zxids (czxid, mzxid, pzxid, reply zxids) become `Zx` values that are compared by an
    order isomorphism between the two servers' zxids (equal stays equal, order is kept);
  - ctime/mtime are compared only as "ctime == mtime";
  - ephemeralOwner and session ids become client labels (c0, c1.2 = slot 1's 2nd session);
  - paths are shown relative to the seed's base node.

A side may be an ensemble with its clients spread over the members (Side(address=[...],
sync_on_flush=True)): the flush then starts with a sync through every raw client, so that
each client's member has applied the op (and sent its events) before the next op runs --
what a single server gives without it. The syncs' replies are left out of the traces.
"""

import bisect
import threading

from kazoo.client import KazooClient
from kazoo.protocol.states import Callback

from harness import zkwire as z
from differential.opgen import ACLS, Op

TTL_MS = 3600 * 1000


class Zx:
    """A zxid value to be compared by order, not by value."""
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return "zx"


class Divergence(Exception):
    pass


class OrderIso:
    """Checks that the pairs (a, b) seen so far form an order-preserving bijection."""

    def __init__(self):
        self.a_keys = []
        self.a_to_b = {}
        self.b_to_a = {}

    def check(self, a, b):
        if a in self.a_to_b or b in self.b_to_a:
            return self.a_to_b.get(a) == b and self.b_to_a.get(b) == a
        i = bisect.bisect_left(self.a_keys, a)
        if i > 0 and not self.a_to_b[self.a_keys[i - 1]] < b:
            return False
        if i < len(self.a_keys) and not b < self.a_to_b[self.a_keys[i]]:
            return False
        self.a_keys.insert(i, a)
        self.a_to_b[a] = b
        self.b_to_a[b] = a
        return True

    def label(self, a):
        """A short stable name for a zxid of side A (its rank among those seen)."""
        return "z%d" % bisect.bisect_left(self.a_keys, a) if a in self.a_to_b else "z?"


class Side:
    """One server under comparison, with its client slots."""

    def __init__(self, name, address, base, n_clients, mutate=None, sync_on_flush=False):
        """address: one (host, port) for every client, or a list of n_clients + 1 of them
        (slot i's raw client connects to address[i], the kazoo client to the last one), as
        when the side is an ensemble whose members each serve some of the clients.
        sync_on_flush: each raw client syncs `base` before its flush ping (see run())."""
        self.mutate = mutate  # test hook: result -> result (for the self-test)
        self.name = name
        if isinstance(address, list):
            if len(address) != n_clients + 1:
                raise ValueError("need %d addresses, got %d" % (n_clients + 1, len(address)))
            self.slot_addresses = list(address)
        else:
            self.slot_addresses = [address] * (n_clients + 1)
        self.address = self.slot_addresses[0]
        self.sync_on_flush = sync_on_flush
        self.base = base
        self.clients = [None] * n_clients
        self.gens = [0] * n_clients
        self.labels = {}  # session id -> label
        for i in range(n_clients):
            self.open(i)
        # one kazoo client in the last slot: its watch callbacks land in kazoo_events
        self.kazoo = KazooClient(hosts="%s:%d" % self.slot_addresses[-1], timeout=30.0)
        self.kazoo.start(15)
        self.labels[self.kazoo.client_id[0]] = "k"
        self.kazoo_events = []
        self.kazoo_mark = 0

    def open(self, i):
        self.gens[i] += 1
        c = z.WireClient(self.slot_addresses[i], timeout_ms=30000)
        self.clients[i] = c
        label = "c%d" % i if self.gens[i] == 1 else "c%d.%d" % (i, self.gens[i])
        self.labels[c.session_id] = label

    def close(self):
        try:
            self.kazoo.stop()
            self.kazoo.close()
        except Exception:
            pass
        for c in self.clients:
            if c is not None:
                try:
                    c.close_session()
                except (z.ConnectionClosed, OSError):
                    c.close()

    def abs(self, rel):
        return self.base if rel == "" else self.base + rel

    def rel(self, path):
        if path is None:
            return None
        if path == self.base:
            return ""
        if path.startswith(self.base + "/"):
            return path[len(self.base):]
        return path

    def owner(self, sid):
        return 0 if sid == 0 else self.labels.get(sid, "session?")

    def stat(self, st):
        if st is None:
            return None
        return (("czxid", Zx(st.czxid)), ("mzxid", Zx(st.mzxid)), ("pzxid", Zx(st.pzxid)),
                ("ctime==mtime", st.ctime == st.mtime), ("version", st.version),
                ("cversion", st.cversion), ("aversion", st.aversion),
                ("owner", self.owner(st.ephemeralOwner)), ("dataLength", st.dataLength),
                ("numChildren", st.numChildren))

    # --- executing one op ------------------------------------------------------------
    def run(self, op):
        """Executes op; returns (result, traces) with traces[i] = client i's new frames."""
        marks = [len(c.trace) for c in self.clients]
        if op.client == len(self.clients):
            result = self.execute_kazoo(op)
        else:
            c = self.clients[op.client]
            try:
                result = self.execute(c, op)
            except (z.ConnectionClosed, OSError):
                result = ("connection-closed",)
                self.open(op.client)
                marks[op.client] = 0
        traces = []
        for i, cl in enumerate(self.clients):
            hidden = {-2}  # the flush's own replies: ping, and the sync on an ensemble
            try:
                if self.sync_on_flush:
                    # The op was answered by its client's member; another member may apply
                    # it a moment later. A sync through this client's member returns only
                    # once that member has applied everything committed before it, and
                    # the member sends the watch events of those txns before the sync's
                    # reply: so the events the op caused here are all in by now.
                    hidden.add(cl.call("sync", z.rec_path(self.base)).xid)
                cl.ping()
            except (z.ConnectionClosed, OSError):
                self.open(i)
                marks[i] = 0
                traces.append([("connection-closed",)])
                continue
            traces.append([self.frame(f) for f in cl.trace[marks[i]:]
                           if not (f[0] == "reply" and f[1] in hidden)])
        traces.append(self.flush_kazoo())
        if self.mutate:
            result = self.mutate(op, result)
        return result, traces

    # --- the kazoo client --------------------------------------------------------------
    def flush_kazoo(self):
        """Kazoo's events caused so far: sync (events come before its reply), then wait
        for kazoo's callback thread to run everything queued before a marker."""
        self.kazoo.sync(self.base)
        done = threading.Event()
        self.kazoo.handler.dispatch_callback(Callback("watch", done.set, ()))
        if not done.wait(10):
            return [("kazoo-callbacks-stuck",)]
        new = self.kazoo_events[self.kazoo_mark:]
        self.kazoo_mark = len(self.kazoo_events)
        return new

    def kazoo_watch(self, ev):
        self.kazoo_events.append(("event", ev.type, self.rel(ev.path)))

    def kstat(self, st):
        if st is None:
            return None
        return self.stat(z.Stat(st.czxid, st.mzxid, st.ctime, st.mtime, st.version,
                                st.cversion, st.aversion, st.ephemeralOwner, st.dataLength,
                                st.numChildren, st.pzxid))

    def execute_kazoo(self, op):
        k, a = self.kazoo, op.args
        path = self.abs(a["path"])
        watch = self.kazoo_watch if a.get("watch") else None
        try:
            if op.name == "kcreate":
                return (0, self.rel(k.create(path, a["data"], ephemeral=a["ephemeral"],
                                             sequence=a["sequence"])))
            if op.name == "kget":
                data, st = k.get(path, watch=watch)
                return (0, data, self.kstat(st))
            if op.name == "kset":
                return (0, self.kstat(k.set(path, a["data"], version=a["version"])))
            if op.name == "kdelete":
                k.delete(path, version=a["version"])
                return (0,)
            if op.name == "kexists":
                return (0, self.kstat(k.exists(path, watch=watch)))
            if op.name == "kchildren":
                return (0, sorted(k.get_children(path, watch=watch)))
        except Exception as e:  # kazoo raises one class per error code
            return (getattr(e, "code", type(e).__name__),)
        raise ValueError(op.name)

    def frame(self, f):
        if f[0] == "event":
            return ("event", f[1], f[2], self.rel(f[3]))
        return ("reply", f[2])

    def execute(self, c, op):
        a = op.args
        n = op.name
        if n in ("create", "create2"):
            return self.create(c, n, a)
        if n == "delete":
            p = c.call("delete", z.rec_delete(self.abs(a["path"]), a["version"]))
            return (p.err, Zx(p.zxid))
        if n == "setData":
            p = c.call("setData", z.rec_set(self.abs(a["path"]), a["data"], a["version"]))
            return (p.err, Zx(p.zxid), self.stat(p.reader().stat()) if p.err == 0 else None)
        if n in ("getData", "exists", "getChildren", "getChildren2"):
            p = c.call(n, z.rec_path(self.abs(a["path"]), a["watch"]))
            return (p.err, Zx(p.zxid)) + self.read_body(n, p)
        if n in ("getACL", "sync", "getAllChildrenNumber"):
            p = c.call(n, z.rec_path(self.abs(a["path"])))
            return (p.err, Zx(p.zxid)) + self.read_body(n, p)
        if n == "setACL":
            body = z.W().string(self.abs(a["path"])).acl(ACLS[a["acl"]]).i32(a["version"])
            p = c.call("setACL", body.bytes())
            return (p.err, Zx(p.zxid), self.stat(p.reader().stat()) if p.err == 0 else None)
        if n in ("multi", "multiRead"):
            return self.multi(c, n, a["ops"])
        if n == "addAuth":
            return (c.add_auth("digest", a["user"])[0],)
        if n == "addWatch":
            p = c.call("addWatch", z.W().string(self.abs(a["path"])).i32(a["mode"]).bytes())
            return (p.err, p.body)
        if n in ("removeWatches", "checkWatches"):
            p = c.call(n, z.W().string(self.abs(a["path"])).i32(a["type"]).bytes())
            return (p.err,)
        if n == "getEphemerals":
            p = c.call(n, z.rec_path(self.abs(a["prefix"])))
            return (p.err, sorted(self.rel(x) for x in p.reader().strings()) if p.err == 0
                    else None)
        if n == "reconnect":
            try:
                c.close_session()
            finally:
                self.open(op.client)
            return ("reopened",)
        raise ValueError(n)

    def create(self, c, n, a):
        path, data, mode = self.abs(a["path"]), a["data"], a["mode"]
        acl = ACLS[a.get("acl", "open")]
        w = z.W().string(path).buf(data).acl(acl).i32(mode)
        if mode in (z.PERSISTENT_WITH_TTL, z.PERSISTENT_SEQUENTIAL_WITH_TTL):
            p = c.call("createTTL", w.i64(TTL_MS).bytes())
        elif mode == z.CONTAINER and n == "create2":
            p = c.call("createContainer", w.bytes())
        else:
            p = c.call(n, w.bytes())
        if p.err:
            return (p.err, Zx(p.zxid))
        r = p.reader()
        out = (0, Zx(p.zxid), self.rel(r.string()))
        if n == "create2" or mode in (z.CONTAINER, z.PERSISTENT_WITH_TTL,
                                      z.PERSISTENT_SEQUENTIAL_WITH_TTL):
            if not r.at_end():
                out += (self.stat(r.stat()),)
        return out

    def read_body(self, n, p):
        if p.err:
            return ()
        r = p.reader()
        if n == "getData":
            return (r.buf(), self.stat(r.stat()))
        if n == "exists":
            return (self.stat(r.stat()),)
        if n == "getChildren":
            return (sorted(r.strings()),)
        if n == "getChildren2":
            return (sorted(r.strings()), self.stat(r.stat()))
        if n == "getACL":
            return (r.acl(), self.stat(r.stat()))
        if n == "sync":
            return (self.rel(r.string()),)
        if n == "getAllChildrenNumber":
            return (r.i32(),)
        raise ValueError(n)

    def multi(self, c, n, ops):
        w = z.W()
        for so in ops:
            a = so.args
            path = self.abs(a["path"])
            if so.name == "create":
                rec = z.rec_create(path, a["data"], z.OPEN_ACL, a["mode"])
            elif so.name == "delete":
                rec = z.rec_delete(path, a["version"])
            elif so.name == "setData":
                rec = z.rec_set(path, a["data"], a["version"])
            elif so.name == "check":
                rec = z.rec_check(path, a["version"])
            else:
                rec = z.rec_path(path, False)
            w.i32(z.OP[so.name]).bool(False).i32(-1)
            w.parts.append(rec)
        w.i32(-1).bool(True).i32(-1)
        p = c.call(n, w.bytes())
        if p.err:
            return (p.err, Zx(p.zxid))
        out = []
        for t, err, res in z.parse_multi(p.reader()):
            if t in (z.OP["create"],):
                res = self.rel(res)
            elif t == z.OP["setData"]:
                res = self.stat(res)
            elif t == z.OP["getData"]:
                res = (res[0], self.stat(res[1]))
            elif t == z.OP["getChildren"]:
                res = sorted(res)
            out.append((t, err, res))
        return (0, Zx(p.zxid), out)

    def dump(self):
        """The whole subtree under base: (relative path, data, stat, acl) sorted by path."""
        c = self.clients[0]
        out = []
        stack = [self.base]
        while stack:
            path = stack.pop()
            err, res = c.get_data(path)
            if err == z.NOAUTH:
                out.append((self.rel(path), "no-auth", self.stat(c.exists(path)[1])))
            elif err:
                out.append((self.rel(path), err))
                continue
            else:
                out.append((self.rel(path), res[0], self.stat(res[1]), c.get_acl(path)[1][0]))
            err, kids = c.get_children(path)
            if err == 0:
                stack.extend(path + "/" + k for k in sorted(kids))
        return sorted(out, key=lambda e: e[0])


def compare(a, b, iso, where="result"):
    """Raises Divergence with a description at the first difference."""
    if isinstance(a, Zx) or isinstance(b, Zx):
        if not (isinstance(a, Zx) and isinstance(b, Zx)):
            raise Divergence("%s: zxid vs non-zxid" % where)
        if not iso.check(a.v, b.v):
            raise Divergence("%s: zxid order differs (%#x vs %#x; earlier zxids map "
                             "differently)" % (where, a.v, b.v))
        return
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        if len(a) != len(b):
            raise Divergence("%s: %d items vs %d" % (where, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, iso, "%s[%d]" % (where, i))
        return
    if a != b:
        raise Divergence("%s: %r vs %r" % (where, a, b))


def render(v, iso):
    """A readable form of a normalized result (zxids by their rank on side A)."""
    if isinstance(v, Zx):
        return iso.label(v.v)
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) and not isinstance(
            v[1], (tuple, list)):
        return "%s=%s" % (v[0], render(v[1], iso))
    if isinstance(v, tuple):
        return "(" + ", ".join(render(x, iso) for x in v) + ")"
    if isinstance(v, list):
        return "[" + ", ".join(render(x, iso) for x in v) + "]"
    return repr(v)
