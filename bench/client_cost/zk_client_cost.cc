// The client-cost workload (cost_common.h) with ZooKeeper's C client (libzookeeper-mt,
// Debian libzookeeper-mt-dev): zoo_aget / zoo_aset, and zoo_get / zoo_set for the sync phase.
#include <zookeeper/zookeeper.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "cost_common.h"

namespace {

using client_cost::Options;
using client_cost::PhaseResult;

// `outstanding` chains of async calls: each completion (on the library's completion thread)
// counts its reply and issues the next call until `ops` were issued.
class AsyncRun {
 public:
  AsyncRun(zhandle_t* zh, const Options& o) : zh_(zh), o_(o), data_(o.payload, 'x') {}

  PhaseResult run() {
    client_cost::Span span;
    for (int i = 0; i < o_.outstanding; ++i) issue();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_ == o_.ops; });
    return PhaseResult{o_.ops, errors_.load(), span.cpu(), span.wall()};
  }

 private:
  static void on_data(int rc, const char*, int, const Stat*, const void* self) {
    static_cast<AsyncRun*>(const_cast<void*>(self))->complete(rc == ZOK);
  }
  static void on_stat(int rc, const Stat*, const void* self) {
    static_cast<AsyncRun*>(const_cast<void*>(self))->complete(rc == ZOK);
  }
  void issue() {
    const long i = issued_.fetch_add(1);
    if (i >= o_.ops) return;  // every call was issued
    const std::string path = client_cost::key_path(i, o_.keys);
    int rc = o_.op == "get"
                 ? zoo_aget(zh_, path.c_str(), 0, on_data, this)
                 : zoo_aset(zh_, path.c_str(), data_.data(), static_cast<int>(data_.size()), -1,
                            on_stat, this);
    if (rc != ZOK) complete(false);
  }
  void complete(bool ok) {
    if (!ok) ++errors_;
    issue();
    std::lock_guard<std::mutex> lock(mu_);
    if (++done_ == o_.ops) cv_.notify_all();
  }

  zhandle_t* zh_;
  const Options& o_;
  const std::string data_;
  std::atomic<long> issued_{0};
  std::atomic<long> errors_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  long done_ = 0;
};

PhaseResult run_sync(zhandle_t* zh, const Options& o) {
  const std::string data(o.payload, 'x');
  std::string buf(static_cast<size_t>(o.payload) + 16, '\0');
  PhaseResult r;
  client_cost::Span span;
  for (long i = 0; i < o.sync_ops; ++i) {
    const std::string path = client_cost::key_path(i, o.keys);
    int rc;
    if (o.op == "get") {
      int len = static_cast<int>(buf.size());
      Stat stat;
      rc = zoo_get(zh, path.c_str(), 0, buf.data(), &len, &stat);
    } else {
      rc = zoo_set(zh, path.c_str(), data.data(), static_cast<int>(data.size()), -1);
    }
    if (rc != ZOK) ++r.errors;
  }
  r.ops = o.sync_ops;
  r.cpu_s = span.cpu();
  r.wall_s = span.wall();
  return r;
}

// Session events: the main thread waits for ZOO_CONNECTED_STATE.
struct Connected {
  std::mutex mu;
  std::condition_variable cv;
  bool up = false;
};

void on_session(zhandle_t*, int type, int state, const char*, void* ctx) {
  if (type != ZOO_SESSION_EVENT || state != ZOO_CONNECTED_STATE) return;
  auto* c = static_cast<Connected*>(ctx);
  std::lock_guard<std::mutex> lock(c->mu);
  c->up = true;
  c->cv.notify_all();
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = client_cost::parse(argc, argv);
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  Connected connected;
  zhandle_t* zh = zookeeper_init(o.server.c_str(), on_session, 10000, nullptr, &connected, 0);
  {
    std::unique_lock<std::mutex> lock(connected.mu);
    if (!zh || !connected.cv.wait_for(lock, std::chrono::seconds(10), [&] { return connected.up; })) {
      std::fprintf(stderr, "cannot connect to %s\n", o.server.c_str());
      return 1;
    }
  }
  // By default the C client resolves its host list again each time it checks the socket
  // (several syscalls and a netlink round trip per request on this workload, more CPU than
  // the rest of the op); a tuned application turns that off, so the comparison does too.
  zoo_set_servers_resolution_delay(zh, -1);
  const std::string data(o.payload, 'x');
  zoo_create(zh, "/client-cost", "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);  // may exist
  for (int k = 0; k < o.keys; ++k) {
    zoo_create(zh, client_cost::key_path(k, o.keys).c_str(), data.data(),
               static_cast<int>(data.size()), &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
  }
  AsyncRun async(zh, o);
  PhaseResult a = async.run();
  PhaseResult s = run_sync(zh, o);
  client_cost::report("zookeeper-c", o, a, s);
  zookeeper_close(zh);
  return a.errors + s.errors == 0 ? 0 : 1;
}
