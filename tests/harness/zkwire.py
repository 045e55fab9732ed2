"""A small synchronous ZooKeeper wire client for tests: raw frames, exact error codes.

kazoo 2.8 has no TTL/container create, persistent watches, removeWatches, getEphemerals,
getAllChildrenNumber, whoAmI or multiRead, and it hides the zxid of replies; this client
speaks those directly. It is single-threaded: replies are read when a request waits for
them, and watch notifications (xid -1) met on the way are kept in `events` in arrival
order, with `trace` recording every frame (events and replies) in order.
"""

import socket
import struct
import time

# op codes
OP = dict(notification=0, create=1, delete=2, exists=3, getData=4, setData=5, getACL=6,
          setACL=7, getChildren=8, sync=9, ping=11, getChildren2=12, check=13, multi=14,
          create2=15, reconfig=16, checkWatches=17, removeWatches=18, createContainer=19,
          deleteContainer=20, createTTL=21, multiRead=22, auth=100, setWatches=101,
          getEphemerals=103, getAllChildrenNumber=104, setWatches2=105, addWatch=106,
          whoAmI=107, closeSession=-11, error=-1)

# error codes
OK = 0
SYSTEMERROR = -1
MARSHALLINGERROR = -5
UNIMPLEMENTED = -6
BADARGUMENTS = -8
NONODE = -101
NOAUTH = -102
BADVERSION = -103
NOCHILDRENFOREPHEMERALS = -108
NODEEXISTS = -110
NOTEMPTY = -111
SESSIONEXPIRED = -112
INVALIDACL = -114
AUTHFAILED = -115
NOWATCHER = -121
RECONFIGDISABLED = -123
QUOTAEXCEEDED = -125

# create modes
PERSISTENT, EPHEMERAL, PERSISTENT_SEQUENTIAL, EPHEMERAL_SEQUENTIAL = 0, 1, 2, 3
CONTAINER, PERSISTENT_WITH_TTL, PERSISTENT_SEQUENTIAL_WITH_TTL = 4, 5, 6

# event types / states
NODE_CREATED, NODE_DELETED, NODE_DATA_CHANGED, NODE_CHILDREN_CHANGED = 1, 2, 3, 4
DATA_WATCH_REMOVED, CHILD_WATCH_REMOVED, PERSISTENT_WATCH_REMOVED = 5, 6, 7
SYNC_CONNECTED = 3

# watcher types for check/removeWatches; addWatch modes
WT_CHILDREN, WT_DATA, WT_ANY = 1, 2, 3
ADD_PERSISTENT, ADD_PERSISTENT_RECURSIVE = 0, 1

PERM_READ, PERM_WRITE, PERM_CREATE, PERM_DELETE, PERM_ADMIN, PERM_ALL = 1, 2, 4, 8, 16, 31
OPEN_ACL = [(PERM_ALL, "world", "anyone")]


class W:
    """Jute writer."""

    def __init__(self):
        self.parts = []

    def i32(self, v):
        self.parts.append(struct.pack(">i", v)); return self

    def i64(self, v):
        self.parts.append(struct.pack(">q", v)); return self

    def bool(self, v):
        self.parts.append(b"\1" if v else b"\0"); return self

    def buf(self, b):
        if b is None:
            return self.i32(-1)
        if isinstance(b, str):
            b = b.encode()
        self.i32(len(b)); self.parts.append(b); return self

    string = buf

    def acl(self, acls):
        self.i32(len(acls))
        for perms, scheme, ident in acls:
            self.i32(perms).string(scheme).string(ident)
        return self

    def strings(self, items):
        self.i32(len(items))
        for s in items:
            self.string(s)
        return self

    def bytes(self):
        return b"".join(self.parts)


class R:
    """Jute reader; raises ValueError on overrun."""

    def __init__(self, data, off=0):
        self.d = data
        self.o = off

    def _take(self, n):
        if n < 0 or self.o + n > len(self.d):
            raise ValueError("jute overrun at %d (+%d of %d)" % (self.o, n, len(self.d)))
        b = self.d[self.o:self.o + n]
        self.o += n
        return b

    def i32(self):
        return struct.unpack(">i", self._take(4))[0]

    def i64(self):
        return struct.unpack(">q", self._take(8))[0]

    def bool(self):
        return self._take(1) != b"\0"

    def buf(self):
        n = self.i32()
        return None if n < 0 else self._take(n)

    def string(self):
        b = self.buf()
        return None if b is None else b.decode()

    def strings(self):
        n = self.i32()
        return [self.string() for _ in range(max(n, 0))]

    def stat(self):
        return Stat(*[f() for f in (self.i64, self.i64, self.i64, self.i64, self.i32, self.i32,
                                    self.i32, self.i64, self.i32, self.i32, self.i64)])

    def acl(self):
        n = self.i32()
        return [(self.i32(), self.string(), self.string()) for _ in range(max(n, 0))]

    def at_end(self):
        return self.o == len(self.d)


class Stat(tuple):
    FIELDS = ("czxid", "mzxid", "ctime", "mtime", "version", "cversion", "aversion",
              "ephemeralOwner", "dataLength", "numChildren", "pzxid")

    def __new__(cls, *vals):
        return tuple.__new__(cls, vals)

    def __getattr__(self, name):
        try:
            return self[Stat.FIELDS.index(name)]
        except ValueError:
            raise AttributeError(name)

    def asdict(self):
        return dict(zip(Stat.FIELDS, self))


class Reply:
    def __init__(self, xid, zxid, err, body):
        self.xid, self.zxid, self.err, self.body = xid, zxid, err, body

    def reader(self):
        return R(self.body)

    def __repr__(self):
        return "Reply(xid=%d zxid=%#x err=%d body=%d bytes)" % (
            self.xid, self.zxid, self.err, len(self.body))


class Event(tuple):
    def __new__(cls, type_, state, path):
        return tuple.__new__(cls, (type_, state, path))

    type = property(lambda s: s[0])
    state = property(lambda s: s[1])
    path = property(lambda s: s[2])


class ConnectionClosed(Exception):
    pass


def frame(body):
    return struct.pack(">i", len(body)) + body


def connect_request(timeout_ms=30000, session_id=0, passwd=b"\0" * 16, last_zxid=0,
                    read_only=False):
    w = W().i32(0).i64(last_zxid).i32(timeout_ms).i64(session_id).buf(passwd)
    if read_only is not None:
        w.bool(read_only)
    return w.bytes()


class WireClient:
    """One connection = one session (new, or resumed with session_id/passwd)."""

    def __init__(self, address, timeout_ms=30000, session_id=0, passwd=b"\0" * 16,
                 last_zxid=0, io_timeout=10.0, handshake=True):
        self.address = address if isinstance(address, tuple) else _split(address)
        self.sock = socket.create_connection(self.address, timeout=io_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.io_timeout = io_timeout
        self.xid = 0
        self.events = []
        self.trace = []  # ("event", Event) / ("reply", xid, err) in arrival order
        self.rbuf = b""
        self.last_zxid = last_zxid  # highest zxid seen in a reply (for SetWatches, resume)
        self.session_id = None
        if handshake:
            self.sock.sendall(frame(connect_request(timeout_ms, session_id, passwd, last_zxid)))
            r = R(self.recv_frame())
            self.protocol_version = r.i32()
            self.negotiated_timeout = r.i32()
            self.session_id = r.i64()
            self.passwd = r.buf()

    # --- framing ---------------------------------------------------------------------
    def _fill(self, n, deadline):
        while len(self.rbuf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no frame within %.1fs" % self.io_timeout)
            self.sock.settimeout(left)
            try:
                b = self.sock.recv(65536)
            except ConnectionResetError as e:
                raise ConnectionClosed(str(e))
            if not b:
                raise ConnectionClosed("server closed the connection")
            self.rbuf += b

    def recv_frame(self, timeout=None):
        deadline = time.monotonic() + (self.io_timeout if timeout is None else timeout)
        self._fill(4, deadline)
        n = struct.unpack(">i", self.rbuf[:4])[0]
        self._fill(4 + n, deadline)
        body, self.rbuf = self.rbuf[4:4 + n], self.rbuf[4 + n:]
        return body

    def send_raw(self, data):
        self.sock.sendall(data)

    def recv_packet(self, timeout=None):
        """Next reply or event frame as (ReplyHeader fields, body); records events."""
        body = self.recv_frame(timeout)
        r = R(body)
        xid, zxid, err = r.i32(), r.i64(), r.i32()
        rest = body[r.o:]
        if xid == -1:
            er = R(rest)
            ev = Event(er.i32(), er.i32(), er.string())
            self.events.append(ev)
            self.trace.append(("event",) + tuple(ev))
        else:
            self.trace.append(("reply", xid, err))
            if zxid > self.last_zxid:
                self.last_zxid = zxid
        return Reply(xid, zxid, err, rest)

    # --- requests --------------------------------------------------------------------
    def next_xid(self):
        self.xid += 1
        return self.xid

    def send(self, op, body=b"", xid=None):
        xid = self.next_xid() if xid is None else xid
        self.sock.sendall(frame(W().i32(xid).i32(op).bytes() + body))
        return xid

    def wait_reply(self, xid, timeout=None):
        deadline = time.monotonic() + (self.io_timeout if timeout is None else timeout)
        while True:
            p = self.recv_packet(max(0.0, deadline - time.monotonic()))
            if p.xid == -1:
                continue
            if p.xid == -2 and xid != -2:
                continue
            if p.xid != xid:
                raise AssertionError("reply xid %d out of order, expected %d" % (p.xid, xid))
            return p

    def call(self, op, body=b"", timeout=None):
        if isinstance(op, str):
            op = OP[op]
        return self.wait_reply(self.send(op, body), timeout)

    def wait_events(self, n, timeout=5.0):
        """Waits until at least n events arrived; returns the events list."""
        deadline = time.monotonic() + timeout
        while len(self.events) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("expected %d events, got %r" % (n, self.events))
            try:
                self.recv_packet(left)
            except socket.timeout:
                pass
        return self.events

    def no_more_events(self, wait=0.3):
        """Reads for `wait` seconds; returns events that arrived (should be none)."""
        before = len(self.events)
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                self.recv_packet(left)
            except socket.timeout:
                break
        return self.events[before:]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def close_session(self):
        try:
            self.call(OP["closeSession"])
        finally:
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- typed ops: each returns (err, result) ---------------------------------------
    def ping(self):
        return self.wait_reply(self.send(OP["ping"], xid=-2))

    def create(self, path, data=b"", acl=OPEN_ACL, flags=PERSISTENT):
        p = self.call("create", W().string(path).buf(data).acl(acl).i32(flags).bytes())
        return p.err, (p.reader().string() if p.err == 0 else None)

    def create2(self, path, data=b"", acl=OPEN_ACL, flags=PERSISTENT):
        p = self.call("create2", W().string(path).buf(data).acl(acl).i32(flags).bytes())
        if p.err:
            return p.err, None
        r = p.reader()
        return 0, (r.string(), r.stat())

    def create_container(self, path, data=b"", acl=OPEN_ACL):
        p = self.call("createContainer",
                      W().string(path).buf(data).acl(acl).i32(CONTAINER).bytes())
        if p.err:
            return p.err, None
        r = p.reader()
        return 0, (r.string(), r.stat())

    def create_ttl(self, path, ttl, data=b"", acl=OPEN_ACL, flags=PERSISTENT_WITH_TTL):
        p = self.call("createTTL",
                      W().string(path).buf(data).acl(acl).i32(flags).i64(ttl).bytes())
        if p.err:
            return p.err, None
        r = p.reader()
        return 0, (r.string(), r.stat())

    def delete(self, path, version=-1):
        return self.call("delete", W().string(path).i32(version).bytes()).err, None

    def exists(self, path, watch=False):
        p = self.call("exists", W().string(path).bool(watch).bytes())
        return p.err, (p.reader().stat() if p.err == 0 else None)

    def get_data(self, path, watch=False):
        p = self.call("getData", W().string(path).bool(watch).bytes())
        if p.err:
            return p.err, None
        r = p.reader()
        return 0, (r.buf(), r.stat())

    def set_data(self, path, data, version=-1):
        p = self.call("setData", W().string(path).buf(data).i32(version).bytes())
        return p.err, (p.reader().stat() if p.err == 0 else None)

    def get_children(self, path, watch=False):
        p = self.call("getChildren", W().string(path).bool(watch).bytes())
        return p.err, (p.reader().strings() if p.err == 0 else None)

    def get_children2(self, path, watch=False):
        p = self.call("getChildren2", W().string(path).bool(watch).bytes())
        if p.err:
            return p.err, None
        r = p.reader()
        return 0, (r.strings(), r.stat())

    def get_acl(self, path):
        p = self.call("getACL", W().string(path).bytes())
        if p.err:
            return p.err, None
        r = p.reader()
        return 0, (r.acl(), r.stat())

    def set_acl(self, path, acl, version=-1):
        p = self.call("setACL", W().string(path).acl(acl).i32(version).bytes())
        return p.err, (p.reader().stat() if p.err == 0 else None)

    def sync(self, path):
        p = self.call("sync", W().string(path).bytes())
        return p.err, (p.reader().string() if p.err == 0 else None)

    def check(self, path, version):
        return self.call("check", W().string(path).i32(version).bytes()).err, None

    def add_watch(self, path, mode):
        p = self.call("addWatch", W().string(path).i32(mode).bytes())
        return p.err, p.body

    def check_watches(self, path, wtype):
        return self.call("checkWatches", W().string(path).i32(wtype).bytes()).err, None

    def remove_watches(self, path, wtype):
        return self.call("removeWatches", W().string(path).i32(wtype).bytes()).err, None

    def get_ephemerals(self, prefix):
        p = self.call("getEphemerals", W().string(prefix).bytes())
        return p.err, (p.reader().strings() if p.err == 0 else None)

    def get_all_children_number(self, path):
        p = self.call("getAllChildrenNumber", W().string(path).bytes())
        return p.err, (p.reader().i32() if p.err == 0 else None)

    def whoami(self):
        p = self.call("whoAmI")
        if p.err:
            return p.err, None
        r = p.reader()
        n = r.i32()
        return 0, [(r.string(), r.string()) for _ in range(max(n, 0))]

    def add_auth(self, scheme, auth):
        p = self.wait_reply(self.send(OP["auth"], W().i32(0).string(scheme).buf(auth).bytes(),
                                      xid=-4))
        return p.err, None

    def set_watches(self, relative_zxid, data=(), exist=(), child=()):
        """SetWatches (op 101, xid -8): re-arms one-shot watches after a reconnect."""
        body = (W().i64(relative_zxid).strings(list(data)).strings(list(exist))
                .strings(list(child)).bytes())
        return self.wait_reply(self.send(OP["setWatches"], body, xid=-8)).err, None

    def set_watches2(self, relative_zxid, data=(), exist=(), child=(), persistent=(),
                     recursive=()):
        body = (W().i64(relative_zxid).strings(list(data)).strings(list(exist))
                .strings(list(child)).strings(list(persistent)).strings(list(recursive))
                .bytes())
        return self.wait_reply(self.send(OP["setWatches2"], body, xid=-8)).err, None

    def multi(self, ops, read=False):
        """ops: list of (op_name, record bytes). Returns (err, [(type, err_or_0, result)])."""
        w = W()
        for name, rec in ops:
            w.i32(OP[name]).bool(False).i32(-1)
            w.parts.append(rec)
        w.i32(-1).bool(True).i32(-1)
        p = self.call("multiRead" if read else "multi", w.bytes())
        if p.err:
            return p.err, None
        return 0, parse_multi(p.reader())


def parse_multi(r):
    out = []
    while True:
        t, done, err = r.i32(), r.bool(), r.i32()
        if done:
            return out
        if t == OP["create"]:
            out.append((t, 0, r.string()))
        elif t == OP["create2"]:
            out.append((t, 0, (r.string(), r.stat())))
        elif t == OP["setData"]:
            out.append((t, 0, r.stat()))
        elif t in (OP["delete"], OP["check"]):
            out.append((t, 0, None))
        elif t == OP["getData"]:
            out.append((t, 0, (r.buf(), r.stat())))
        elif t == OP["getChildren"]:
            out.append((t, 0, r.strings()))
        elif t == -1:
            out.append((t, r.i32(), None))
        else:
            raise ValueError("unknown multi result type %d" % t)


def rec_create(path, data=b"", acl=OPEN_ACL, flags=PERSISTENT):
    return W().string(path).buf(data).acl(acl).i32(flags).bytes()


def rec_delete(path, version=-1):
    return W().string(path).i32(version).bytes()


def rec_set(path, data, version=-1):
    return W().string(path).buf(data).i32(version).bytes()


def rec_check(path, version):
    return W().string(path).i32(version).bytes()


def rec_path(path, watch=None):
    w = W().string(path)
    if watch is not None:
        w.bool(watch)
    return w.bytes()


def _split(hostport):
    h, p = hostport.rsplit(":", 1)
    return (h, int(p))
