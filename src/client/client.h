#pragma once
// Paddock's C++ ZooKeeper client: one session over a connection string, every operation of
// ZooKeeper 3.8, asynchronous (a callback run on the event thread, or a std::future) with a
// blocking facade (SyncClient). See src/client/README.md for threading, ordering and the
// bounded-queue policy.
//
//   auto client = paddock::client::Client::open({.connect_string = "127.0.0.1:2181/app"});
//   paddock::client::SyncClient zk(**client);
//   zk.create("/config", "v1");
//   auto [data, stat] = zk.get_data("/config", [](const WatchEvent& e) { ... });
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/transaction.h"
#include "client/types.h"
#include "util/result.h"

namespace paddock::client {

class Session;

class Client {
 public:
  // Parses the connection string and starts connecting (in the background: wait with
  // wait_connected, or just call; calls wait for the connection). Fails only on a bad
  // connection string.
  static paddock::Result<std::unique_ptr<Client>> open(ClientOptions options);
  // Closes the session (as close()). Must not run on the event thread.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends closeSession and waits for its answer (at most `wait`); ephemerals go at once.
  // Calls after close fail with kSessionExpired. The session watcher gets Closed.
  void close(std::chrono::milliseconds wait = std::chrono::milliseconds(3000));

  bool wait_connected(std::chrono::milliseconds timeout) const;
  SessionState state() const;
  int64_t session_id() const;
  std::string session_password() const;
  std::chrono::milliseconds negotiated_timeout() const;
  const std::string& chroot() const;
  // Completions and events waiting for the event thread (bounded: see README.md).
  size_t queued_events() const;

  // --- operations: each has a callback form (run on the event thread, in request order with
  // the other callbacks and watch events) and a future form (completed on the I/O thread).
  // Paths are relative to the chroot. A watcher, when given, is registered if the call
  // succeeds and runs once on the event thread (exists: also when the node does not exist).
  void create(const std::string& path, NodeData data, CreateOptions opts, Callback<CreateResult> cb);
  std::future<Result<CreateResult>> create(const std::string& path, NodeData data, CreateOptions opts = {});

  void remove(const std::string& path, int32_t version, Callback<Empty> cb);
  std::future<Result<Empty>> remove(const std::string& path, int32_t version = -1);

  // An absent node is a success with no Stat.
  void exists(const std::string& path, Watcher watcher, Callback<std::optional<Stat>> cb);
  std::future<Result<std::optional<Stat>>> exists(const std::string& path, Watcher watcher = {});

  void get_data(const std::string& path, Watcher watcher, Callback<DataResult> cb);
  std::future<Result<DataResult>> get_data(const std::string& path, Watcher watcher = {});

  void set_data(const std::string& path, NodeData data, int32_t version, Callback<Stat> cb);
  std::future<Result<Stat>> set_data(const std::string& path, NodeData data, int32_t version = -1);

  void get_children(const std::string& path, Watcher watcher, Callback<std::vector<std::string>> cb);
  std::future<Result<std::vector<std::string>>> get_children(const std::string& path, Watcher watcher = {});

  void get_children2(const std::string& path, Watcher watcher, Callback<ChildrenResult> cb);
  std::future<Result<ChildrenResult>> get_children2(const std::string& path, Watcher watcher = {});

  void get_acl(const std::string& path, Callback<AclResult> cb);
  std::future<Result<AclResult>> get_acl(const std::string& path);

  void set_acl(const std::string& path, AclList acl, int32_t version, Callback<Stat> cb);
  std::future<Result<Stat>> set_acl(const std::string& path, AclList acl, int32_t version = -1);

  // Answers the path it was given.
  void sync(const std::string& path, Callback<std::string> cb);
  std::future<Result<std::string>> sync(const std::string& path);

  // All ops or none. On failure the code is the failing op's, the path its path, and
  // partial() holds the per-op results.
  void multi(const Transaction& txn, Callback<std::vector<OpResult>> cb);
  std::future<Result<std::vector<OpResult>>> multi(const Transaction& txn);

  // Each read answers on its own (a failed one carries its code in ReadResult::err).
  void multi_read(const MultiRead& reads, Callback<std::vector<ReadResult>> cb);
  std::future<Result<std::vector<ReadResult>>> multi_read(const MultiRead& reads);

  // A persistent (or persistent recursive) watch: fires for every change until removed.
  void add_watch(const std::string& path, AddWatchMode mode, Watcher watcher, Callback<Empty> cb);
  std::future<Result<Empty>> add_watch(const std::string& path, AddWatchMode mode, Watcher watcher);

  // Removes every watch of `type` on `path` (at the server too unless `local`); the removed
  // watchers get DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved. kNoWatcher
  // when there is none.
  void remove_watches(const std::string& path, WatcherType type, bool local, Callback<Empty> cb);
  std::future<Result<Empty>> remove_watches(const std::string& path, WatcherType type, bool local = false);
  // Asks the server whether this session has a watch of `type` on `path` (kNoWatcher if not).
  void check_watches(const std::string& path, WatcherType type, Callback<Empty> cb);
  std::future<Result<Empty>> check_watches(const std::string& path, WatcherType type);

  // This session's ephemeral nodes whose path starts with `prefix` ("/" for all).
  void get_ephemerals(const std::string& prefix, Callback<std::vector<std::string>> cb);
  std::future<Result<std::vector<std::string>>> get_ephemerals(const std::string& prefix = "/");

  void get_all_children_number(const std::string& path, Callback<int32_t> cb);
  std::future<Result<int32_t>> get_all_children_number(const std::string& path);

  void who_am_i(Callback<std::vector<ClientInfo>> cb);
  std::future<Result<std::vector<ClientInfo>>> who_am_i();

  // Authenticates the session (e.g. "digest", "user:password"); re-sent on every reconnect.
  // A rejected auth ends the session (state kAuthFailed), as in ZooKeeper.
  void add_auth(const std::string& scheme, const std::string& auth, Callback<Empty> cb);
  std::future<Result<Empty>> add_auth(const std::string& scheme, const std::string& auth);

 private:
  friend class SyncClient;
  explicit Client(std::unique_ptr<Session> session);
  std::unique_ptr<Session> session_;
};

// The blocking facade: each call waits for its reply and throws KeeperException on an
// error. Safe on the event thread (the I/O thread then reads past the event queue's bound
// while it waits, up to twice it; see README.md).
class SyncClient {
 public:
  explicit SyncClient(Client& client) : c_(client) {}
  Client& client() { return c_; }

  CreateResult create(const std::string& path, NodeData data = std::string(), CreateOptions opts = {});
  void remove(const std::string& path, int32_t version = -1);
  std::optional<Stat> exists(const std::string& path, Watcher watcher = {});
  DataResult get_data(const std::string& path, Watcher watcher = {});
  Stat set_data(const std::string& path, NodeData data, int32_t version = -1);
  std::vector<std::string> get_children(const std::string& path, Watcher watcher = {});
  ChildrenResult get_children2(const std::string& path, Watcher watcher = {});
  AclResult get_acl(const std::string& path);
  Stat set_acl(const std::string& path, AclList acl, int32_t version = -1);
  std::string sync(const std::string& path);
  std::vector<OpResult> multi(const Transaction& txn);
  std::vector<ReadResult> multi_read(const MultiRead& reads);
  void add_watch(const std::string& path, AddWatchMode mode, Watcher watcher);
  void remove_watches(const std::string& path, WatcherType type, bool local = false);
  void check_watches(const std::string& path, WatcherType type);
  std::vector<std::string> get_ephemerals(const std::string& prefix = "/");
  int32_t get_all_children_number(const std::string& path);
  std::vector<ClientInfo> who_am_i();
  void add_auth(const std::string& scheme, const std::string& auth);

 private:
  template <typename T>
  T await(std::future<Result<T>> f);
  Client& c_;
};

}  // namespace paddock::client
