// The pipeline seams a learner needs, driven with two cores and no ZAB: a "learner" core
// whose orderer relays writes (ForwardedWrite) and a "leader" core that preps them
// (LearnerWrite) with a LocalOrderer; what the leader commits is handed to the learner's
// orderer as a quorum's COMMITs would be. The learner's client gets its session and its
// replies from txns it never prepped, matched by session and cxid.
#include <gtest/gtest.h>

#include <deque>

#include "pipeline/local_orderer.h"
#include "pipeline/pipeline_core.h"
#include "pipeline/pipeline_test_support.h"
#include "proto/records.h"

namespace paddock::pipeline {
namespace {

using testing_support::CoreDriver;
using testing_support::ManualClock;
using testing_support::RecordingChannel;
using testing_support::request;

// A learner's orderer: relays writes; txns arrive committed from outside.
class RelayingOrderer final : public Orderer {
 public:
  int64_t allocate_zxid() override {
    ADD_FAILURE() << "a learner never allocates zxids";
    return 0;
  }
  int64_t last_allocated_zxid() const override { return 0; }
  void propose(proto::Txn) override { ADD_FAILURE() << "a learner never proposes"; }
  std::vector<proto::Txn> take_committed() override {
    std::vector<proto::Txn> out(committed.begin(), committed.end());
    committed.clear();
    return out;
  }
  size_t in_flight() const override { return 0; }
  void set_wakeup(std::function<void()>) override {}
  bool prepares_writes() const override { return false; }
  void forward(ForwardedWrite write) override { forwarded.push_back(std::move(write)); }

  std::deque<ForwardedWrite> forwarded;
  std::deque<proto::Txn> committed;
};

// The leader's orderer: a LocalOrderer (standing for the quorum: it logs and commits) whose
// committed txns are also handed to the learner.
class CommitSharingOrderer final : public Orderer {
 public:
  CommitSharingOrderer(LocalOrderer& local, RelayingOrderer& learner)
      : local_(local), learner_(learner) {}
  int64_t allocate_zxid() override { return local_.allocate_zxid(); }
  int64_t last_allocated_zxid() const override { return local_.last_allocated_zxid(); }
  void propose(proto::Txn txn) override { local_.propose(std::move(txn)); }
  std::vector<proto::Txn> take_committed() override {
    std::vector<proto::Txn> txns = local_.take_committed();
    learner_.committed.insert(learner_.committed.end(), txns.begin(), txns.end());
    return txns;
  }
  size_t in_flight() const override { return local_.in_flight(); }
  void set_wakeup(std::function<void()> wakeup) override { local_.set_wakeup(std::move(wakeup)); }

 private:
  LocalOrderer& local_;
  RelayingOrderer& learner_;
};

class ForwardingTest : public ::testing::Test {
 protected:
  ForwardingTest()
      : leader_db_(state::DatabaseOptions{}),
        learner_db_(state::DatabaseOptions{}),
        local_orderer_(0, [this](int64_t zxid, std::string) { durable_.push_back(zxid); }),
        leader_orderer_(local_orderer_, relay_) {
    PipelineOptions leader_options;
    leader_options.server_id = 1;
    leader_ = std::make_unique<CoreDriver>(leader_options, leader_db_, leader_orderer_,
                                           leader_channel_, clock_);
    PipelineOptions learner_options;
    learner_options.server_id = 2;
    learner_ = std::make_unique<CoreDriver>(learner_options, learner_db_, relay_, learner_channel_,
                                            clock_);
  }

  // Carries every relayed write to the leader, makes what it logged durable there, and
  // hands the committed txns to the learner: one round of what ZAB does.
  void replicate() {
    while (!relay_.forwarded.empty()) {
      leader_->learner_write(std::move(relay_.forwarded.front()));
      relay_.forwarded.pop_front();
    }
    for (int64_t zxid : durable_) local_orderer_.on_durable(zxid);
    durable_.clear();
    leader_->commits_ready();
    learner_->commits_ready();
  }

  ManualClock clock_;
  state::Database leader_db_;
  state::Database learner_db_;
  std::vector<int64_t> durable_;
  RelayingOrderer relay_;
  LocalOrderer local_orderer_;
  CommitSharingOrderer leader_orderer_;
  RecordingChannel leader_channel_;
  RecordingChannel learner_channel_;
  std::unique_ptr<CoreDriver> leader_;
  std::unique_ptr<CoreDriver> learner_;
};

TEST_F(ForwardingTest, ALearnersClientGetsItsSessionAndRepliesFromTheLeadersTxns) {
  learner_->connection_opened(1, "127.0.0.1", 40000);
  proto::ConnectRequest connect;
  connect.timeout_ms = 10000;
  connect.passwd = std::string(16, '\0');
  learner_->frame_received(1, proto::encode(connect));
  ASSERT_EQ(relay_.forwarded.size(), 1u);
  const ForwardedWrite create_session = relay_.forwarded.front();
  EXPECT_EQ(create_session.type, static_cast<int32_t>(proto::OpCode::kCreateSession));
  EXPECT_EQ(create_session.session_id >> 56, 2);  // the learner's server id in the top byte
  EXPECT_TRUE(learner_channel_.frames(1).empty());

  replicate();
  auto frames = learner_channel_.frames(1);
  ASSERT_EQ(frames.size(), 1u);
  proto::ConnectResponse resp;
  ASSERT_TRUE(proto::decode(std::string_view(frames[0]).substr(4), resp));
  EXPECT_EQ(resp.session_id, create_session.session_id);

  const proto::AclList open{{proto::perm::kAll, {"world", "anyone"}}};
  learner_->frame_received(
      1, request(7, proto::OpCode::kCreate, proto::CreateRequest{"/x", "v", open, 0}));
  learner_->frame_received(1,
                           request(8, proto::OpCode::kGetData, proto::GetDataRequest{"/x", false}));
  EXPECT_EQ(learner_channel_.frames(1).size(), 1u);  // the read waits behind the write
  ASSERT_EQ(relay_.forwarded.size(), 1u);
  EXPECT_EQ(relay_.forwarded.front().cxid, 7);
  EXPECT_EQ(relay_.forwarded.front().auth.front(), (proto::Id{"ip", "127.0.0.1"}));
  replicate();
  frames = learner_channel_.frames(1);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(learner_db_.tree().digest(), leader_db_.tree().digest());
  EXPECT_EQ(learner_db_.tree().last_zxid(), 2);
}

}  // namespace
}  // namespace paddock::pipeline
