#pragma once
// ssl.ocsp: a client certificate's revocation status asked of the OCSP responder its
// Authority Information Access names, as Java's PKIX revocation checker does for ZooKeeper
// with ssl.ocsp=true. The answer must be signed by a certificate the trust store accepts,
// be current (thisUpdate/nextUpdate, 5 minutes of clock skew; without a nextUpdate, at most
// 5 minutes old), carry our nonce when it carries one, and say "good"; anything else
// refuses the connection (revoked, unknown, no responder named, responder unreachable), as
// Java's default hard-fail does.
//
// Threads: a query is network I/O, so it never runs on a network thread: check() hands it
// to a worker of its own and calls `done` there. Good answers are cached by issuer and
// serial until their nextUpdate (at most an hour), so a reconnecting client costs no query.
// Bounded: at most `max_pending` queries wait; past that a check fails at once.
#include <openssl/ssl.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace paddock::server {

struct OcspOptions {
  std::chrono::milliseconds timeout{5000};  // connect and read, per query
  size_t threads = 1;
  size_t max_pending = 256;
  std::chrono::seconds max_cache_age{3600};
};

class OcspChecker {
 public:
  using Done = std::function<void(std::string error)>;  // "" when the certificate is good

  explicit OcspChecker(OcspOptions options = {});
  ~OcspChecker();  // joins the workers; pending checks are answered with an error
  OcspChecker(const OcspChecker&) = delete;
  OcspChecker& operator=(const OcspChecker&) = delete;

  // Checks the peer certificate of `ssl` (after a verified handshake) against its
  // responder. Takes what it needs from `ssl` before returning, so the connection may go
  // away meanwhile; `done` runs on a worker thread.
  void check(SSL* ssl, Done done);

  uint64_t queries() const;  // responder round trips made (tests)

 private:
  struct Job;
  void run();
  std::string query(const Job& job);

  OcspOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job*> jobs_;
  bool stopping_ = false;
  // Good answers: key = issuer name hash + serial, value = valid until (steady clock).
  std::map<std::string, std::chrono::steady_clock::time_point> good_;
  uint64_t queries_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace paddock::server
