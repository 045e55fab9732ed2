#include "pipeline/local_orderer.h"

#include <gtest/gtest.h>

#include <vector>

namespace paddock::pipeline {
namespace {

TEST(LocalOrdererTest, ZxidsCountUpWithinTheRecoveredEpoch) {
  LocalOrderer orderer(make_zxid(3, 7), [](int64_t, std::string) {});
  EXPECT_EQ(orderer.allocate_zxid(), make_zxid(3, 8));
  EXPECT_EQ(orderer.allocate_zxid(), make_zxid(3, 9));
}

TEST(LocalOrdererTest, AnExhaustedCounterStartsTheNextEpochAtCounterOne) {
  LocalOrderer orderer(make_zxid(3, kMaxZxidCounter - 1), [](int64_t, std::string) {});
  EXPECT_EQ(orderer.allocate_zxid(), make_zxid(3, kMaxZxidCounter));
  const int64_t next = orderer.allocate_zxid();
  EXPECT_EQ(zxid_epoch(next), 4);
  EXPECT_EQ(zxid_counter(next), 1);
}

TEST(LocalOrdererTest, TxnsCommitOnceDurableInZxidOrder) {
  std::vector<int64_t> appended;
  LocalOrderer orderer(0, [&](int64_t zxid, std::string) { appended.push_back(zxid); });
  for (int i = 0; i < 3; ++i) {
    proto::Txn txn;
    txn.header.zxid = orderer.allocate_zxid();
    orderer.propose(std::move(txn));
  }
  EXPECT_EQ(appended, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_TRUE(orderer.take_committed().empty());
  orderer.on_durable(2);
  auto committed = orderer.take_committed();
  ASSERT_EQ(committed.size(), 2u);
  EXPECT_EQ(committed[1].header.zxid, 2);
  EXPECT_EQ(orderer.in_flight(), 1u);
}

}  // namespace
}  // namespace paddock::pipeline
