#include "client/client.h"

#include <utility>

#include "client/connect_string.h"
#include "client/session.h"
#include "client/watch_registry.h"
#include "proto/path.h"

namespace paddock::client {
namespace {

template <typename T>
using Sink = std::function<void(Result<T>)>;

// Callback form: the result goes through the event queue, in order with watch events.
template <typename T>
Sink<T> callback_sink(Session& s, Callback<T> cb) {
  EventQueue* q = &s.events();
  return [q, cb = std::move(cb)](Result<T> r) {
    q->push([cb, r = std::move(r)]() mutable {
      if (cb) cb(std::move(r));
    });
  };
}

// Future form: completed where the reply is decoded (the I/O thread).
template <typename T>
std::pair<Sink<T>, std::future<Result<T>>> future_sink() {
  auto p = std::make_shared<std::promise<Result<T>>>();
  auto f = p->get_future();
  return {[p](Result<T> r) { p->set_value(std::move(r)); }, std::move(f)};
}

template <typename T, typename Decode>
void run(Session& s, Call call, Sink<T> sink, Decode decode) {
  call.done = [sink = std::move(sink), decode = std::move(decode), path = call.path](Reply&& r) {
    sink(decode(r, path));
  };
  s.submit(std::move(call));
}

// Decodes record Rec from a successful reply and maps it to T with `f`.
template <typename T, typename Rec, typename F>
auto decode_as(F f) {
  return [f](Reply& r, const std::string& path) -> Result<T> {
    if (r.err != Err::kOk) return Result<T>(r.err, path);
    Rec rec;
    if (!proto::decode(r.body, rec)) return Result<T>(Err::kMarshallingError, path);
    return f(std::move(rec));
  };
}

inline auto decode_empty() {
  return [](Reply& r, const std::string& path) -> Result<Empty> {
    if (r.err != Err::kOk) return Result<Empty>(r.err, path);
    return Empty{};
  };
}

template <typename T>
bool check_path(const std::string& path, bool sequential, Sink<T>& sink) {
  if (proto::validate_path(path, sequential) == Err::kOk) return true;
  sink(Result<T>(Err::kBadArguments, path));
  return false;
}

Call make_call(Session& s, OpCode op, const std::string& path) {
  Call c;
  c.op = op;
  c.path = path;
  (void)s;
  return c;
}

template <typename Rec>
std::string body(const Rec& rec) {
  return proto::encode(rec);
}

// --- the operations, once, with a sink ------------------------------------------------------
void do_create(Session& s, const std::string& path, NodeData data, CreateOptions o,
               Sink<CreateResult> sink) {
  if (!check_path(path, is_sequential(o.mode), sink)) return;
  std::string chroot = s.chroot();
  Call c = make_call(s, create_op_for(o.mode, OpCode::kCreate2), path);
  std::string server_path = prepend_chroot(chroot, path);
  if (c.op == OpCode::kCreateTTL) {
    c.body = body(proto::CreateTtlRequest{server_path, std::move(data), std::move(o.acl),
                                          static_cast<int32_t>(o.mode), o.ttl_ms});
  } else {
    c.body = body(proto::CreateRequest{server_path, std::move(data), std::move(o.acl),
                                       static_cast<int32_t>(o.mode)});
  }
  run(s, std::move(c), std::move(sink),
      decode_as<CreateResult, proto::Create2Response>([chroot](proto::Create2Response r) {
        return CreateResult{strip_chroot(chroot, r.path), r.stat};
      }));
}

void do_remove(Session& s, const std::string& path, int32_t version, Sink<Empty> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kDelete, path);
  c.body = body(proto::DeleteRequest{prepend_chroot(s.chroot(), path), version});
  run(s, std::move(c), std::move(sink), decode_empty());
}

void do_exists(Session& s, const std::string& path, Watcher w, Sink<std::optional<Stat>> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kExists, path);
  c.body = body(proto::ExistsRequest{prepend_chroot(s.chroot(), path), bool(w)});
  if (w) c.watch = WatchAction{WatchAction::Kind::kRegisterExists, 0, WatcherType::kAny, std::move(w)};
  run(s, std::move(c), std::move(sink),
      [](Reply& r, const std::string& p) -> Result<std::optional<Stat>> {
        if (r.err == Err::kNoNode) return std::optional<Stat>();
        if (r.err != Err::kOk) return Result<std::optional<Stat>>(r.err, p);
        proto::ExistsResponse rec;
        if (!proto::decode(r.body, rec)) return Result<std::optional<Stat>>(Err::kMarshallingError, p);
        return std::optional<Stat>(rec.stat);
      });
}

WatchAction register_watch(Watcher w, WatchKind kind) {
  if (!w) return {};
  return WatchAction{WatchAction::Kind::kRegister, static_cast<int>(kind), WatcherType::kAny, std::move(w)};
}

void do_get_data(Session& s, const std::string& path, Watcher w, Sink<DataResult> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kGetData, path);
  c.body = body(proto::GetDataRequest{prepend_chroot(s.chroot(), path), bool(w)});
  c.watch = register_watch(std::move(w), WatchKind::kData);
  run(s, std::move(c), std::move(sink),
      decode_as<DataResult, proto::GetDataResponse>(
          [](proto::GetDataResponse r) { return DataResult{std::move(r.data), r.stat}; }));
}

void do_set_data(Session& s, const std::string& path, NodeData data, int32_t version, Sink<Stat> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kSetData, path);
  c.body = body(proto::SetDataRequest{prepend_chroot(s.chroot(), path), std::move(data), version});
  run(s, std::move(c), std::move(sink),
      decode_as<Stat, proto::SetDataResponse>([](proto::SetDataResponse r) { return r.stat; }));
}

void do_get_children(Session& s, const std::string& path, Watcher w,
                     Sink<std::vector<std::string>> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kGetChildren, path);
  c.body = body(proto::GetChildrenRequest{prepend_chroot(s.chroot(), path), bool(w)});
  c.watch = register_watch(std::move(w), WatchKind::kChild);
  run(s, std::move(c), std::move(sink),
      decode_as<std::vector<std::string>, proto::GetChildrenResponse>(
          [](proto::GetChildrenResponse r) { return std::move(r.children); }));
}

void do_get_children2(Session& s, const std::string& path, Watcher w, Sink<ChildrenResult> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kGetChildren2, path);
  c.body = body(proto::GetChildren2Request{prepend_chroot(s.chroot(), path), bool(w)});
  c.watch = register_watch(std::move(w), WatchKind::kChild);
  run(s, std::move(c), std::move(sink),
      decode_as<ChildrenResult, proto::GetChildren2Response>([](proto::GetChildren2Response r) {
        return ChildrenResult{std::move(r.children), r.stat};
      }));
}

void do_get_acl(Session& s, const std::string& path, Sink<AclResult> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kGetACL, path);
  c.body = body(proto::GetAclRequest{prepend_chroot(s.chroot(), path)});
  run(s, std::move(c), std::move(sink),
      decode_as<AclResult, proto::GetAclResponse>(
          [](proto::GetAclResponse r) { return AclResult{std::move(r.acl), r.stat}; }));
}

void do_set_acl(Session& s, const std::string& path, AclList acl, int32_t version, Sink<Stat> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kSetACL, path);
  c.body = body(proto::SetAclRequest{prepend_chroot(s.chroot(), path), std::move(acl), version});
  run(s, std::move(c), std::move(sink),
      decode_as<Stat, proto::SetAclResponse>([](proto::SetAclResponse r) { return r.stat; }));
}

void do_sync(Session& s, const std::string& path, Sink<std::string> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kSync, path);
  c.body = body(proto::SyncRequest{prepend_chroot(s.chroot(), path)});
  std::string chroot = s.chroot();
  run(s, std::move(c), std::move(sink),
      decode_as<std::string, proto::SyncResponse>(
          [chroot](proto::SyncResponse r) { return strip_chroot(chroot, r.path); }));
}

void do_multi(Session& s, const Transaction& txn, Sink<std::vector<OpResult>> sink) {
  std::string bad;
  if (txn.validate(&bad) != Err::kOk) return sink(Result<std::vector<OpResult>>(Err::kBadArguments, bad));
  Call c = make_call(s, OpCode::kMulti, "");
  c.body = txn.encode(s.chroot());
  std::vector<std::string> paths;
  for (size_t i = 0; i < txn.size(); ++i) paths.push_back(txn.path(i));
  std::string chroot = s.chroot();
  run(s, std::move(c), std::move(sink),
      [chroot, paths = std::move(paths)](Reply& r, const std::string&) -> Result<std::vector<OpResult>> {
        using R = Result<std::vector<OpResult>>;
        if (r.err != Err::kOk) return R(r.err, "");
        std::vector<OpResult> out;
        Err first = Err::kOk;
        size_t index = 0;
        if (!decode_multi_reply(r.body, chroot, out, &first, &index)) return R(Err::kMarshallingError, "");
        if (first != Err::kOk) return R(first, index < paths.size() ? paths[index] : "", std::move(out));
        return out;
      });
}

void do_multi_read(Session& s, const MultiRead& reads, Sink<std::vector<ReadResult>> sink) {
  std::string bad;
  if (reads.validate(&bad) != Err::kOk) return sink(Result<std::vector<ReadResult>>(Err::kBadArguments, bad));
  Call c = make_call(s, OpCode::kMultiRead, "");
  c.body = reads.encode(s.chroot());
  run(s, std::move(c), std::move(sink),
      [](Reply& r, const std::string&) -> Result<std::vector<ReadResult>> {
        using R = Result<std::vector<ReadResult>>;
        if (r.err != Err::kOk) return R(r.err, "");
        std::vector<ReadResult> out;
        if (!decode_multi_read_reply(r.body, out)) return R(Err::kMarshallingError, "");
        return out;
      });
}

void do_add_watch(Session& s, const std::string& path, AddWatchMode mode, Watcher w, Sink<Empty> sink) {
  if (!check_path(path, false, sink)) return;
  if (!w) return sink(Result<Empty>(Err::kBadArguments, path));
  Call c = make_call(s, OpCode::kAddWatch, path);
  c.body = body(proto::AddWatchRequest{prepend_chroot(s.chroot(), path), static_cast<int32_t>(mode)});
  c.watch = register_watch(std::move(w), mode == AddWatchMode::kPersistentRecursive
                                             ? WatchKind::kPersistentRecursive
                                             : WatchKind::kPersistent);
  run(s, std::move(c), std::move(sink), decode_empty());
}

void do_remove_watches(Session& s, const std::string& path, WatcherType type, bool local, Sink<Empty> sink) {
  if (!check_path(path, false, sink)) return;
  if (local) {
    return s.remove_watches_local(path, type, [sink = std::move(sink), path](Reply&& r) {
      sink(decode_empty()(r, path));
    });
  }
  Call c = make_call(s, OpCode::kRemoveWatches, path);
  c.body = body(proto::RemoveWatchesRequest{prepend_chroot(s.chroot(), path), static_cast<int32_t>(type)});
  c.watch.kind = WatchAction::Kind::kRemove;
  c.watch.type = type;
  run(s, std::move(c), std::move(sink), decode_empty());
}

void do_check_watches(Session& s, const std::string& path, WatcherType type, Sink<Empty> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kCheckWatches, path);
  c.body = body(proto::CheckWatchesRequest{prepend_chroot(s.chroot(), path), static_cast<int32_t>(type)});
  run(s, std::move(c), std::move(sink), decode_empty());
}

void do_get_ephemerals(Session& s, const std::string& prefix, Sink<std::vector<std::string>> sink) {
  if (prefix.empty() || prefix.front() != '/') {
    return sink(Result<std::vector<std::string>>(Err::kBadArguments, prefix));
  }
  std::string chroot = s.chroot();
  Call c = make_call(s, OpCode::kGetEphemerals, prefix);
  c.body = body(proto::GetEphemeralsRequest{prepend_chroot(chroot, prefix)});
  run(s, std::move(c), std::move(sink),
      decode_as<std::vector<std::string>, proto::GetEphemeralsResponse>(
          [chroot](proto::GetEphemeralsResponse r) {
            for (auto& p : r.ephemerals) p = strip_chroot(chroot, p);
            return std::move(r.ephemerals);
          }));
}

void do_get_all_children_number(Session& s, const std::string& path, Sink<int32_t> sink) {
  if (!check_path(path, false, sink)) return;
  Call c = make_call(s, OpCode::kGetAllChildrenNumber, path);
  c.body = body(proto::GetAllChildrenNumberRequest{prepend_chroot(s.chroot(), path)});
  run(s, std::move(c), std::move(sink),
      decode_as<int32_t, proto::GetAllChildrenNumberResponse>(
          [](proto::GetAllChildrenNumberResponse r) { return r.total_number; }));
}

void do_who_am_i(Session& s, Sink<std::vector<ClientInfo>> sink) {
  Call c = make_call(s, OpCode::kWhoAmI, "");
  run(s, std::move(c), std::move(sink),
      decode_as<std::vector<ClientInfo>, proto::WhoAmIResponse>(
          [](proto::WhoAmIResponse r) { return std::move(r.client_info); }));
}

void do_add_auth(Session& s, const std::string& scheme, const std::string& auth, Sink<Empty> sink) {
  s.add_auth(scheme, auth, [sink = std::move(sink)](Reply&& r) { sink(decode_empty()(r, "")); });
}

}  // namespace

// --- Client ---------------------------------------------------------------------------------
paddock::Result<std::unique_ptr<Client>> Client::open(ClientOptions options) {
  auto cs = parse_connect_string(options.connect_string);
  if (!cs) return cs.status();
  if (options.session_timeout.count() <= 0) return Status::error("session_timeout must be positive");
  auto session = std::make_unique<Session>(std::move(options), std::move(*cs));
  return std::unique_ptr<Client>(new Client(std::move(session)));
}

Client::Client(std::unique_ptr<Session> session) : session_(std::move(session)) {}
Client::~Client() = default;

void Client::close(std::chrono::milliseconds wait) { session_->close(wait); }
bool Client::wait_connected(std::chrono::milliseconds timeout) const { return session_->wait_connected(timeout); }
SessionState Client::state() const { return session_->state(); }
int64_t Client::session_id() const { return session_->session_id(); }
std::string Client::session_password() const { return session_->session_password(); }
std::chrono::milliseconds Client::negotiated_timeout() const { return session_->negotiated_timeout(); }
const std::string& Client::chroot() const { return session_->chroot(); }
size_t Client::queued_events() const { return session_->events().size(); }

// Each op twice: with a callback (event thread) and with a future.
void Client::create(const std::string& path, NodeData data, CreateOptions opts, Callback<CreateResult> cb) {
  do_create(*session_, path, std::move(data), std::move(opts), callback_sink(*session_, std::move(cb)));
}
std::future<Result<CreateResult>> Client::create(const std::string& path, NodeData data, CreateOptions opts) {
  auto [sink, f] = future_sink<CreateResult>();
  do_create(*session_, path, std::move(data), std::move(opts), std::move(sink));
  return std::move(f);
}

void Client::remove(const std::string& path, int32_t version, Callback<Empty> cb) {
  do_remove(*session_, path, version, callback_sink(*session_, std::move(cb)));
}
std::future<Result<Empty>> Client::remove(const std::string& path, int32_t version) {
  auto [sink, f] = future_sink<Empty>();
  do_remove(*session_, path, version, std::move(sink));
  return std::move(f);
}

void Client::exists(const std::string& path, Watcher w, Callback<std::optional<Stat>> cb) {
  do_exists(*session_, path, std::move(w), callback_sink(*session_, std::move(cb)));
}
std::future<Result<std::optional<Stat>>> Client::exists(const std::string& path, Watcher w) {
  auto [sink, f] = future_sink<std::optional<Stat>>();
  do_exists(*session_, path, std::move(w), std::move(sink));
  return std::move(f);
}

void Client::get_data(const std::string& path, Watcher w, Callback<DataResult> cb) {
  do_get_data(*session_, path, std::move(w), callback_sink(*session_, std::move(cb)));
}
std::future<Result<DataResult>> Client::get_data(const std::string& path, Watcher w) {
  auto [sink, f] = future_sink<DataResult>();
  do_get_data(*session_, path, std::move(w), std::move(sink));
  return std::move(f);
}

void Client::set_data(const std::string& path, NodeData data, int32_t version, Callback<Stat> cb) {
  do_set_data(*session_, path, std::move(data), version, callback_sink(*session_, std::move(cb)));
}
std::future<Result<Stat>> Client::set_data(const std::string& path, NodeData data, int32_t version) {
  auto [sink, f] = future_sink<Stat>();
  do_set_data(*session_, path, std::move(data), version, std::move(sink));
  return std::move(f);
}

void Client::get_children(const std::string& path, Watcher w, Callback<std::vector<std::string>> cb) {
  do_get_children(*session_, path, std::move(w), callback_sink(*session_, std::move(cb)));
}
std::future<Result<std::vector<std::string>>> Client::get_children(const std::string& path, Watcher w) {
  auto [sink, f] = future_sink<std::vector<std::string>>();
  do_get_children(*session_, path, std::move(w), std::move(sink));
  return std::move(f);
}

void Client::get_children2(const std::string& path, Watcher w, Callback<ChildrenResult> cb) {
  do_get_children2(*session_, path, std::move(w), callback_sink(*session_, std::move(cb)));
}
std::future<Result<ChildrenResult>> Client::get_children2(const std::string& path, Watcher w) {
  auto [sink, f] = future_sink<ChildrenResult>();
  do_get_children2(*session_, path, std::move(w), std::move(sink));
  return std::move(f);
}

void Client::get_acl(const std::string& path, Callback<AclResult> cb) {
  do_get_acl(*session_, path, callback_sink(*session_, std::move(cb)));
}
std::future<Result<AclResult>> Client::get_acl(const std::string& path) {
  auto [sink, f] = future_sink<AclResult>();
  do_get_acl(*session_, path, std::move(sink));
  return std::move(f);
}

void Client::set_acl(const std::string& path, AclList acl, int32_t version, Callback<Stat> cb) {
  do_set_acl(*session_, path, std::move(acl), version, callback_sink(*session_, std::move(cb)));
}
std::future<Result<Stat>> Client::set_acl(const std::string& path, AclList acl, int32_t version) {
  auto [sink, f] = future_sink<Stat>();
  do_set_acl(*session_, path, std::move(acl), version, std::move(sink));
  return std::move(f);
}

void Client::sync(const std::string& path, Callback<std::string> cb) {
  do_sync(*session_, path, callback_sink(*session_, std::move(cb)));
}
std::future<Result<std::string>> Client::sync(const std::string& path) {
  auto [sink, f] = future_sink<std::string>();
  do_sync(*session_, path, std::move(sink));
  return std::move(f);
}

void Client::multi(const Transaction& txn, Callback<std::vector<OpResult>> cb) {
  do_multi(*session_, txn, callback_sink(*session_, std::move(cb)));
}
std::future<Result<std::vector<OpResult>>> Client::multi(const Transaction& txn) {
  auto [sink, f] = future_sink<std::vector<OpResult>>();
  do_multi(*session_, txn, std::move(sink));
  return std::move(f);
}

void Client::multi_read(const MultiRead& reads, Callback<std::vector<ReadResult>> cb) {
  do_multi_read(*session_, reads, callback_sink(*session_, std::move(cb)));
}
std::future<Result<std::vector<ReadResult>>> Client::multi_read(const MultiRead& reads) {
  auto [sink, f] = future_sink<std::vector<ReadResult>>();
  do_multi_read(*session_, reads, std::move(sink));
  return std::move(f);
}

void Client::add_watch(const std::string& path, AddWatchMode mode, Watcher w, Callback<Empty> cb) {
  do_add_watch(*session_, path, mode, std::move(w), callback_sink(*session_, std::move(cb)));
}
std::future<Result<Empty>> Client::add_watch(const std::string& path, AddWatchMode mode, Watcher w) {
  auto [sink, f] = future_sink<Empty>();
  do_add_watch(*session_, path, mode, std::move(w), std::move(sink));
  return std::move(f);
}

void Client::remove_watches(const std::string& path, WatcherType type, bool local, Callback<Empty> cb) {
  do_remove_watches(*session_, path, type, local, callback_sink(*session_, std::move(cb)));
}
std::future<Result<Empty>> Client::remove_watches(const std::string& path, WatcherType type, bool local) {
  auto [sink, f] = future_sink<Empty>();
  do_remove_watches(*session_, path, type, local, std::move(sink));
  return std::move(f);
}

void Client::check_watches(const std::string& path, WatcherType type, Callback<Empty> cb) {
  do_check_watches(*session_, path, type, callback_sink(*session_, std::move(cb)));
}
std::future<Result<Empty>> Client::check_watches(const std::string& path, WatcherType type) {
  auto [sink, f] = future_sink<Empty>();
  do_check_watches(*session_, path, type, std::move(sink));
  return std::move(f);
}

void Client::get_ephemerals(const std::string& prefix, Callback<std::vector<std::string>> cb) {
  do_get_ephemerals(*session_, prefix, callback_sink(*session_, std::move(cb)));
}
std::future<Result<std::vector<std::string>>> Client::get_ephemerals(const std::string& prefix) {
  auto [sink, f] = future_sink<std::vector<std::string>>();
  do_get_ephemerals(*session_, prefix, std::move(sink));
  return std::move(f);
}

void Client::get_all_children_number(const std::string& path, Callback<int32_t> cb) {
  do_get_all_children_number(*session_, path, callback_sink(*session_, std::move(cb)));
}
std::future<Result<int32_t>> Client::get_all_children_number(const std::string& path) {
  auto [sink, f] = future_sink<int32_t>();
  do_get_all_children_number(*session_, path, std::move(sink));
  return std::move(f);
}

void Client::who_am_i(Callback<std::vector<ClientInfo>> cb) {
  do_who_am_i(*session_, callback_sink(*session_, std::move(cb)));
}
std::future<Result<std::vector<ClientInfo>>> Client::who_am_i() {
  auto [sink, f] = future_sink<std::vector<ClientInfo>>();
  do_who_am_i(*session_, std::move(sink));
  return std::move(f);
}

void Client::add_auth(const std::string& scheme, const std::string& auth, Callback<Empty> cb) {
  do_add_auth(*session_, scheme, auth, callback_sink(*session_, std::move(cb)));
}
std::future<Result<Empty>> Client::add_auth(const std::string& scheme, const std::string& auth) {
  auto [sink, f] = future_sink<Empty>();
  do_add_auth(*session_, scheme, auth, std::move(sink));
  return std::move(f);
}

// --- SyncClient -----------------------------------------------------------------------------
template <typename T>
T SyncClient::await(std::future<Result<T>> f) {
  Session& s = *c_.session_;
  bool on_event_thread = s.on_event_thread();
  if (on_event_thread) s.begin_event_thread_wait();
  Result<T> r = f.get();
  if (on_event_thread) s.end_event_thread_wait();
  return std::move(r).value();
}

CreateResult SyncClient::create(const std::string& path, NodeData data, CreateOptions opts) {
  return await(c_.create(path, std::move(data), std::move(opts)));
}
void SyncClient::remove(const std::string& path, int32_t version) { await(c_.remove(path, version)); }
std::optional<Stat> SyncClient::exists(const std::string& path, Watcher w) {
  return await(c_.exists(path, std::move(w)));
}
DataResult SyncClient::get_data(const std::string& path, Watcher w) {
  return await(c_.get_data(path, std::move(w)));
}
Stat SyncClient::set_data(const std::string& path, NodeData data, int32_t version) {
  return await(c_.set_data(path, std::move(data), version));
}
std::vector<std::string> SyncClient::get_children(const std::string& path, Watcher w) {
  return await(c_.get_children(path, std::move(w)));
}
ChildrenResult SyncClient::get_children2(const std::string& path, Watcher w) {
  return await(c_.get_children2(path, std::move(w)));
}
AclResult SyncClient::get_acl(const std::string& path) { return await(c_.get_acl(path)); }
Stat SyncClient::set_acl(const std::string& path, AclList acl, int32_t version) {
  return await(c_.set_acl(path, std::move(acl), version));
}
std::string SyncClient::sync(const std::string& path) { return await(c_.sync(path)); }
std::vector<OpResult> SyncClient::multi(const Transaction& txn) { return await(c_.multi(txn)); }
std::vector<ReadResult> SyncClient::multi_read(const MultiRead& reads) { return await(c_.multi_read(reads)); }
void SyncClient::add_watch(const std::string& path, AddWatchMode mode, Watcher w) {
  await(c_.add_watch(path, mode, std::move(w)));
}
void SyncClient::remove_watches(const std::string& path, WatcherType type, bool local) {
  await(c_.remove_watches(path, type, local));
}
void SyncClient::check_watches(const std::string& path, WatcherType type) {
  await(c_.check_watches(path, type));
}
std::vector<std::string> SyncClient::get_ephemerals(const std::string& prefix) {
  return await(c_.get_ephemerals(prefix));
}
int32_t SyncClient::get_all_children_number(const std::string& path) {
  return await(c_.get_all_children_number(path));
}
std::vector<ClientInfo> SyncClient::who_am_i() { return await(c_.who_am_i()); }
void SyncClient::add_auth(const std::string& scheme, const std::string& auth) {
  await(c_.add_auth(scheme, auth));
}

// --- small public helpers -------------------------------------------------------------------
KeeperException::KeeperException(Err code, std::string path)
    : std::runtime_error(std::string(proto::err_name(code)) + (path.empty() ? "" : " for " + path)),
      code_(code),
      path_(std::move(path)) {}

const char* session_state_name(SessionState s) {
  switch (s) {
    case SessionState::kConnecting: return "CONNECTING";
    case SessionState::kConnected: return "CONNECTED";
    case SessionState::kExpired: return "EXPIRED";
    case SessionState::kAuthFailed: return "AUTH_FAILED";
    case SessionState::kClosed: return "CLOSED";
  }
  return "UNKNOWN";
}

}  // namespace paddock::client
