#pragma once
// Test doubles of the SASL seams (sasl_authenticator.h), shared by the core's tests and the
// pipeline_frames fuzz target: a scripted exchange in place of Cyrus SASL and a runner
// whose steps the caller finishes when it chooses. No test framework here.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// A SaslStepRunner that keeps each step until the caller runs it and hands the result back
// (finish: the step at `index`, its result for the core to handle).
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

}  // namespace paddock::pipeline::testing_support
