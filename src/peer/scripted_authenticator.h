#pragma once
// For the peer tests: a toy SASL mechanism behind the PeerAuthenticator seam, with the shape
// of ZooKeeper's exchanges -- the learner opens with "hello:<secret>", the server challenges,
// the learner answers and completes, the server completes with a last token (like
// DIGEST-MD5's rspauth) or none (like GSSAPI). A wrong secret fails the server's first step.
#include <atomic>
#include <memory>
#include <string>

#include "peer/peer_authenticator.h"

namespace paddock::peer::testing {

class ScriptedAuthenticator final : public PeerAuthenticator {
 public:
  struct Script {
    std::string secret = "s3cret";           // what this side's learner presents
    std::string expected = "s3cret";         // what this side's server accepts
    std::optional<std::string> last = "ok";  // the server's SUCCESS token (nullopt: null)
    bool blocking = false;                   // steps run on the io thread's helper thread
    std::string id = "learner";              // the id a server reports
  };
  explicit ScriptedAuthenticator(Script s) : script_(std::move(s)) {}

  std::unique_ptr<PeerAuthExchange> learner(const std::string& peer_host) override {
    last_host = peer_host;
    return std::make_unique<Exchange>(*this, true);
  }
  std::unique_ptr<PeerAuthExchange> server(const std::string&) override {
    return std::make_unique<Exchange>(*this, false);
  }

  std::string last_host;
  std::atomic<int> server_steps{0};
  std::atomic<int> learner_steps{0};

 private:
  class Exchange final : public PeerAuthExchange {
   public:
    Exchange(ScriptedAuthenticator& owner, bool learner) : owner_(owner), learner_(learner) {}
    std::string mechanism() const override { return "SCRIPTED"; }
    bool step_may_block() const override { return owner_.script_.blocking; }
    PeerAuthStep step(const std::optional<std::string>& input) override {
      PeerAuthStep s;
      const Script& script = owner_.script_;
      if (learner_) {
        ++owner_.learner_steps;
        if (!input) {
          s.status = PeerAuthStep::Status::kContinue;
          s.token = "hello:" + script.secret;
        } else if (*input == "challenge") {
          s.status = PeerAuthStep::Status::kComplete;
          s.token = "response";
        } else {
          s.error = "unexpected server token '" + *input + "'";
        }
        return s;
      }
      ++owner_.server_steps;
      if (round_++ == 0) {
        if (input == "hello:" + script.expected) {
          s.status = PeerAuthStep::Status::kContinue;
          s.token = "challenge";
        } else {
          s.error = "bad secret";
        }
      } else if (input == "response") {
        s.status = PeerAuthStep::Status::kComplete;
        s.token = script.last;
        s.peer_id = script.id;
      } else {
        s.error = "bad response";
      }
      return s;
    }

   private:
    ScriptedAuthenticator& owner_;
    bool learner_;
    int round_ = 0;
  };

  Script script_;
};

}  // namespace paddock::peer::testing
