// The client-cost workload (cost_common.h) with Paddock's C++ client (src/client).
#include <atomic>
#include <condition_variable>
#include <mutex>

#include "client/client.h"
#include "cost_common.h"

namespace {

using namespace paddock::client;
using client_cost::Options;
using client_cost::PhaseResult;

// `outstanding` chains of async calls: each callback (on the client's event thread) counts
// its reply and issues the next call until `ops` were issued.
class AsyncRun {
 public:
  AsyncRun(Client& client, const Options& o) : client_(client), o_(o), data_(o.payload, 'x') {}

  PhaseResult run() {
    client_cost::Span span;
    for (int i = 0; i < o_.outstanding; ++i) issue();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_ == o_.ops; });
    return PhaseResult{o_.ops, errors_.load(), span.cpu(), span.wall()};
  }

 private:
  void issue() {
    const long i = issued_.fetch_add(1);
    if (i >= o_.ops) return;  // every call was issued
    const std::string path = client_cost::key_path(i, o_.keys);
    if (o_.op == "get") {
      client_.get_data(path, {}, [this](Result<DataResult> r) { complete(r.ok()); });
    } else {
      client_.set_data(path, data_, -1, [this](Result<Stat> r) { complete(r.ok()); });
    }
  }
  void complete(bool ok) {
    if (!ok) ++errors_;
    issue();
    std::lock_guard<std::mutex> lock(mu_);
    if (++done_ == o_.ops) cv_.notify_all();
  }

  Client& client_;
  const Options& o_;
  const std::string data_;
  std::atomic<long> issued_{0};  // issue() runs on the caller's thread, then the event thread
  std::atomic<long> errors_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  long done_ = 0;
};

PhaseResult run_sync(Client& client, const Options& o) {
  SyncClient zk(client);
  const std::string data(o.payload, 'x');
  PhaseResult r;
  client_cost::Span span;
  for (long i = 0; i < o.sync_ops; ++i) {
    const std::string path = client_cost::key_path(i, o.keys);
    try {
      if (o.op == "get") {
        zk.get_data(path);
      } else {
        zk.set_data(path, data);
      }
    } catch (const KeeperException&) {
      ++r.errors;
    }
  }
  r.ops = o.sync_ops;
  r.cpu_s = span.cpu();
  r.wall_s = span.wall();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = client_cost::parse(argc, argv);
  ClientOptions options;
  options.connect_string = o.server;
  auto opened = Client::open(std::move(options));
  if (!opened || !(*opened)->wait_connected(std::chrono::seconds(10))) {
    std::fprintf(stderr, "cannot connect to %s\n", o.server.c_str());
    return 1;
  }
  Client& client = **opened;
  client.create("/client-cost", std::string()).get();  // NodeExists is fine
  for (int k = 0; k < o.keys; ++k) {
    client.create(client_cost::key_path(k, o.keys), std::string(o.payload, 'x')).get();
  }
  AsyncRun async(client, o);
  PhaseResult a = async.run();
  PhaseResult s = run_sync(client, o);
  client_cost::report("paddock", o, a, s);
  client.close();
  return a.errors + s.errors == 0 ? 0 : 1;
}
