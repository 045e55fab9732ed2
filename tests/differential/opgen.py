"""Seeded random operations for the differential test.

An `Op` is plain data (client index, name, arguments) so that one seed yields one readable
transcript. The generator draws paths from a small namespace under the seed's base node so
that ops collide (exists/not-exists, versions, children) often, and learns the names of
sequential nodes from the replies it is shown (both servers must have answered alike to get
there, so the op stream is the same for both).
"""

import random

from harness import zkwire as z

NAMES = ("a", "b", "c")
DATAS = (b"", b"x", b"hello", b"0123456789", None)
MODES = [(z.PERSISTENT, 10), (z.EPHEMERAL, 3), (z.PERSISTENT_SEQUENTIAL, 2),
         (z.EPHEMERAL_SEQUENTIAL, 2), (z.CONTAINER, 1), (z.PERSISTENT_WITH_TTL, 1),
         (z.PERSISTENT_SEQUENTIAL_WITH_TTL, 1)]
ACLS = {
    "open": z.OPEN_ACL,
    "read": [(z.PERM_READ, "world", "anyone")],
    "noDelete": [(z.PERM_ALL & ~z.PERM_DELETE, "world", "anyone")],
    "ip": [(z.PERM_ALL, "ip", "127.0.0.1")],
    "u1": [(z.PERM_ALL, "digest", "u1:fpT/y03U+EjItKZOSLGvjnJlyng=")],  # sha1("u1:p1")
    "auth": [(z.PERM_ALL, "auth", "")],
    "empty": [],
}
USERS = (b"u1:p1", b"u2:p2")


class Op:
    def __init__(self, client, name, **args):
        self.client = client
        self.name = name
        self.args = args

    def __repr__(self):
        parts = []
        for k, v in self.args.items():
            if k == "ops":
                v = "[" + ", ".join(repr(o) for o in v) + "]"
            elif isinstance(v, bytes):
                v = repr(v)
            parts.append("%s=%s" % (k, v))
        return "c%d.%s(%s)" % (self.client, self.name, " ".join(parts))


class SubOp:
    """One op inside a multi."""

    def __init__(self, name, **args):
        self.name = name
        self.args = args

    def __repr__(self):
        return "%s(%s)" % (self.name, " ".join("%s=%r" % kv for kv in self.args.items()))


class OpGenerator:
    def __init__(self, seed, base, n_clients=3):
        self.rng = random.Random(seed)
        self.base = base
        self.n_clients = n_clients
        self.known = set()  # relative paths that a server reported (sequential names)
        # a few persistent nodes first, so that later ops find something to work on
        self.setup = [Op(0, "create", path="/" + n, data=b"", mode=z.PERSISTENT)
                      for n in NAMES]

    def path(self):
        """Mostly nodes that were created (so ops hit real nodes), or their children."""
        r = self.rng
        known = sorted(self.known)
        x = r.random()
        if known and x < 0.45:
            return r.choice(known)
        if known and x < 0.7:
            return r.choice(known) + "/" + r.choice(NAMES)
        depth = r.choice((1, 1, 1, 2))
        return "/" + "/".join(r.choice(NAMES) for _ in range(depth))

    def learn(self, rel_path):
        """Remembers a path a create returned (the same on both servers by then)."""
        if rel_path and rel_path.count("/") <= 4:
            self.known.add(rel_path)

    def version(self):
        return self.rng.choice((-1, -1, -1, 0, 1, 2))

    def data(self):
        return self.rng.choice(DATAS)

    def mode(self):
        return self.rng.choices([m for m, _ in MODES], [w for _, w in MODES])[0]

    def create_args(self):
        mode = self.mode()
        args = dict(path=self.path(), data=self.data(), mode=mode)
        if self.rng.random() < 0.1:
            args["acl"] = self.rng.choice(sorted(ACLS))
        return args

    def sub_op(self):
        kind = self.rng.choice(("create", "create", "delete", "setData", "check"))
        if kind == "create":
            mode = self.rng.choice((z.PERSISTENT, z.PERSISTENT, z.EPHEMERAL,
                                    z.PERSISTENT_SEQUENTIAL))
            return SubOp("create", path=self.path(), data=self.data(), mode=mode)
        if kind == "delete":
            return SubOp("delete", path=self.path(), version=self.version())
        if kind == "setData":
            return SubOp("setData", path=self.path(), data=self.data(), version=self.version())
        return SubOp("check", path=self.path(), version=self.version())

    def kazoo_op(self):
        """An op for the kazoo client (slot n_clients): the everyday API of a real client."""
        r = self.rng
        c = self.n_clients
        kind = r.choice(("kcreate", "kcreate", "kget", "kset", "kdelete", "kexists",
                         "kchildren"))
        if kind == "kcreate":
            return Op(c, kind, path=self.path(), data=self.data() or b"",
                      ephemeral=r.random() < 0.3, sequence=r.random() < 0.3)
        if kind == "kset":
            return Op(c, kind, path=self.path(), data=self.data() or b"",
                      version=self.version())
        if kind == "kdelete":
            return Op(c, kind, path=self.path(), version=self.version())
        return Op(c, kind, path=self.path(), watch=r.random() < 0.6)

    def next(self):
        if self.setup:
            return self.setup.pop(0)
        r = self.rng
        if r.random() < 0.15:
            return self.kazoo_op()
        c = r.randrange(self.n_clients)
        kind = r.choices(
            ["create", "create2", "delete", "setData", "getData", "exists", "getChildren",
             "getChildren2", "getACL", "setACL", "sync", "multi", "multiRead", "addAuth",
             "addWatch", "removeWatches", "checkWatches", "getAllChildrenNumber",
             "getEphemerals", "reconnect"],
            [14, 6, 6, 8, 7, 7, 6, 3, 2, 3, 1, 6, 2, 1, 3, 2, 1, 1, 1, 1])[0]
        if kind in ("create", "create2"):
            return Op(c, kind, **self.create_args())
        if kind == "delete":
            return Op(c, kind, path=self.path(), version=self.version())
        if kind == "setData":
            return Op(c, kind, path=self.path(), data=self.data(), version=self.version())
        if kind in ("getData", "exists", "getChildren", "getChildren2"):
            return Op(c, kind, path=self.path(), watch=r.random() < 0.6)
        if kind in ("getACL", "sync", "getAllChildrenNumber"):
            return Op(c, kind, path=self.path())
        if kind == "setACL":
            return Op(c, kind, path=self.path(), acl=r.choice(sorted(ACLS)),
                      version=self.version())
        if kind == "multi":
            return Op(c, kind, ops=[self.sub_op() for _ in range(r.randint(0, 4))])
        if kind == "multiRead":
            ops = [SubOp(r.choice(("getData", "getChildren")), path=self.path())
                   for _ in range(r.randint(1, 3))]
            return Op(c, kind, ops=ops)
        if kind == "addAuth":
            return Op(c, kind, user=r.choice(USERS))
        if kind == "addWatch":
            return Op(c, kind, path=self.path(), mode=r.choice((z.ADD_PERSISTENT,
                                                                z.ADD_PERSISTENT_RECURSIVE)))
        if kind in ("removeWatches", "checkWatches"):
            return Op(c, kind, path=self.path(), type=r.choice((z.WT_CHILDREN, z.WT_DATA,
                                                                z.WT_ANY)))
        if kind == "getEphemerals":
            return Op(c, kind, prefix=r.choice(("", "/a", "/b")))
        return Op(c, "reconnect")  # close the session, open a new one in its slot
