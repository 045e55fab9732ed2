#pragma once
// Test doubles of the core's seams, shared by the core's tests and the pipeline_frames fuzz
// target: a scripted SASL exchange in place of Cyrus SASL, a SASL runner whose steps the
// caller finishes when it chooses, and an orderer whose log the caller can hold back. No
// test framework here.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/local_orderer.h"
#include "pipeline/sasl_authenticator.h"

namespace paddock::pipeline::testing_support {

// "" -> continue with "challenge"; "<user>:ok" -> complete as <user> with "rspauth";
// "<user>:quiet" -> complete as <user> with no last token (as GSSAPI's last step); anything
// else fails.
class ScriptedExchange final : public SaslExchange {
 public:
  Step step(std::string_view token) override {
    Step s;
    if (token.empty()) {
      s.status = Step::Status::kContinue;
      s.token = "challenge";
    } else if (token.ends_with(":ok")) {
      s.status = Step::Status::kComplete;
      s.token = "rspauth";
      s.authorized_id = std::string(token.substr(0, token.size() - 3));
    } else if (token.ends_with(":quiet")) {
      s.status = Step::Status::kComplete;
      s.authorized_id = std::string(token.substr(0, token.size() - 6));
    } else {
      s.error = "bad response";
    }
    return s;
  }
};

class ScriptedAuthenticator final : public SaslAuthenticator {
 public:
  std::unique_ptr<SaslExchange> start(std::string_view, uint16_t) override {
    ++started;
    return std::make_unique<ScriptedExchange>();
  }
  int started = 0;
};

// A SaslStepRunner that keeps each step until the caller finishes it.
class QueuedRunner final : public SaslStepRunner {
 public:
  struct Job {
    ConnectionId conn;
    std::shared_ptr<SaslExchange> exchange;
    std::string token;
  };
  void run(ConnectionId conn, std::shared_ptr<SaslExchange> exchange, std::string token) override {
    jobs.push_back(Job{conn, std::move(exchange), std::move(token)});
  }
  // Removes the step at `index` and runs it: (its connection, its result).
  std::pair<ConnectionId, SaslExchange::Step> finish(size_t index) {
    Job job = std::move(jobs[index]);
    jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(index));
    return {job.conn, job.exchange->step(job.token)};
  }
  std::vector<Job> jobs;
};

// A LocalOrderer over a log the caller controls: each append is durable at once, or, after
// hold(), only at release() -- a write stays in flight until then.
class HoldableOrderer {
 public:
  LocalOrderer& orderer() { return orderer_; }
  void hold() { holding_ = true; }
  // Makes the held appends durable and stops holding; the core takes the commits at its
  // next CommitsReady.
  void release() {
    holding_ = false;
    std::vector<int64_t> held;
    held.swap(held_);
    for (int64_t zxid : held) orderer_.on_durable(zxid);
  }

 private:
  bool holding_ = false;
  std::vector<int64_t> held_;
  LocalOrderer orderer_{0, [this](int64_t zxid, std::string) {
                          if (holding_) {
                            held_.push_back(zxid);
                          } else {
                            orderer_.on_durable(zxid);
                          }
                        }};
};

}  // namespace paddock::pipeline::testing_support
