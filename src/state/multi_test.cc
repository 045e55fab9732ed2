// Multi: all-or-nothing prep, txn layout and MultiResponse encoding, as ZooKeeper 3.8 does.
#include <gtest/gtest.h>

#include "state/database_test_util.h"

namespace paddock::state {
namespace {

using proto::Err;
using proto::OpCode;
using testing::DbTest;
using testing::decode_multi_response;
using testing::kOpen;
using testing::MultiBuilder;
using testing::MultiResult;

class MultiTest : public DbTest {
 protected:
  proto::Txn prep_multi(const MultiBuilder& m) { return prep_raw(OpCode::kMulti, m.build()); }
  std::vector<MultiResult> run(const MultiBuilder& m) {
    Outcome o = apply(prep_multi(m), OpCode::kMulti);
    EXPECT_EQ(o.reply.err, Err::kOk);
    return decode_multi_response(o.reply.body);
  }
  static proto::CreateRequest create_req(const std::string& path, int32_t flags = 0) {
    return proto::CreateRequest{path, "d", kOpen, flags};
  }
};

TEST_F(MultiTest, SuccessfulMultiAnswersEachOpByItsType) {
  ASSERT_EQ(create("/m"), Err::kOk);
  MultiBuilder m;
  m.add(OpCode::kCreate, create_req("/m/a"))
      .add(OpCode::kCreate2, create_req("/m/b"))
      .add(OpCode::kCreateContainer, create_req("/m/k", 4))
      .add(OpCode::kSetData, proto::SetDataRequest{"/m/a", "x", -1})
      .add(OpCode::kCheck, proto::CheckVersionRequest{"/m/a", 1})
      .add(OpCode::kDelete, proto::DeleteRequest{"/m/b", -1});
  std::vector<MultiResult> r = run(m);
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].type, 1);
  EXPECT_EQ(r[0].path, "/m/a");
  EXPECT_EQ(r[1].type, 1);  // create2 inside a multi answers as a plain create
  EXPECT_EQ(r[1].path, "/m/b");
  EXPECT_EQ(r[2].type, 15);  // createContainer answers path + stat under create2
  EXPECT_EQ(r[2].path, "/m/k");
  EXPECT_EQ(r[2].stat.czxid, zxid_);
  EXPECT_EQ(r[3].type, 5);
  EXPECT_EQ(r[3].stat.version, 1);
  EXPECT_EQ(r[4].type, 13);
  EXPECT_EQ(r[5].type, 2);
  EXPECT_TRUE(exists("/m/a"));
  EXPECT_FALSE(exists("/m/b"));
  EXPECT_EQ(stat("/m/k").czxid, zxid_);
}

TEST_F(MultiTest, InnerCreate2IsLoggedAsType1) {
  MultiBuilder m;
  m.add(OpCode::kCreate2, create_req("/a"));
  proto::Txn txn = prep_multi(m);
  EXPECT_EQ(txn.header.type, 14);
  const auto& multi = std::get<proto::MultiTxn>(txn.body);
  ASSERT_EQ(multi.ops.size(), 1u);
  EXPECT_EQ(multi.ops[0].type, 1);
  EXPECT_TRUE(std::holds_alternative<proto::CreateTxn>(multi.ops[0].body));
}

TEST_F(MultiTest, FailedMultiKeepsEarlierBodiesAndMarksTheRestAsErrors) {
  ASSERT_EQ(create("/a"), Err::kOk);
  MultiBuilder m;
  m.add(OpCode::kCreate, create_req("/c"))
      .add(OpCode::kSetData, proto::SetDataRequest{"/a", "x", 99})
      .add(OpCode::kDelete, proto::DeleteRequest{"/a", -1});
  proto::Txn txn = prep_multi(m);
  const auto& multi = std::get<proto::MultiTxn>(txn.body);
  ASSERT_EQ(multi.ops.size(), 3u);
  EXPECT_EQ(multi.ops[0].type, 1);
  EXPECT_TRUE(std::holds_alternative<proto::CreateTxn>(multi.ops[0].body));
  EXPECT_EQ(multi.ops[1].type, -1);
  EXPECT_EQ(std::get<proto::ErrorTxn>(multi.ops[1].body).err, -103);
  EXPECT_EQ(multi.ops[2].type, -1);
  EXPECT_EQ(std::get<proto::ErrorTxn>(multi.ops[2].body).err, -2);

  Outcome o = apply(txn, OpCode::kMulti);
  EXPECT_EQ(o.reply.err, Err::kOk);  // the ReplyHeader of a failed multi carries 0
  std::vector<MultiResult> r = decode_multi_response(o.reply.body);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].type, -1);
  EXPECT_EQ(r[0].err, 0);
  EXPECT_EQ(r[1].type, -1);
  EXPECT_EQ(r[1].err, -103);
  EXPECT_EQ(r[2].type, -1);
  EXPECT_EQ(r[2].err, -2);
  EXPECT_FALSE(exists("/c"));
  EXPECT_TRUE(exists("/a"));
  EXPECT_EQ(db_.tree().last_zxid(), zxid_);
}

TEST_F(MultiTest, FailedMultiLeavesNoPendingChanges) {
  MultiBuilder m;
  m.add(OpCode::kCreate, create_req("/c")).add(OpCode::kDelete, proto::DeleteRequest{"/x", -1});
  proto::Txn failed = prep_multi(m);
  EXPECT_EQ(db_.pending_change_count(), 0u);
  // Prepared before the failed multi applies, /c must still be creatable.
  proto::Txn next = prep(OpCode::kCreate, create_req("/c"));
  EXPECT_EQ(txn_error(next), Err::kOk);
  apply(failed, OpCode::kMulti);
  EXPECT_EQ(apply(next, OpCode::kCreate).reply.err, Err::kOk);
}

TEST_F(MultiTest, EachOpSeesTheEarlierOps) {
  MultiBuilder m;
  m.add(OpCode::kCreate, create_req("/x"))
      .add(OpCode::kCreate, create_req("/x/y"))
      .add(OpCode::kSetData, proto::SetDataRequest{"/x/y", "v", 0})
      .add(OpCode::kCheck, proto::CheckVersionRequest{"/x/y", 1})
      .add(OpCode::kDelete, proto::DeleteRequest{"/x/y", 1})
      .add(OpCode::kDelete, proto::DeleteRequest{"/x", -1});
  std::vector<MultiResult> r = run(m);
  ASSERT_EQ(r.size(), 6u);
  for (const MultiResult& res : r) EXPECT_NE(res.type, -1);
  EXPECT_FALSE(exists("/x"));
}

TEST_F(MultiTest, DuplicateCreateInOneMultiFailsWithNodeExists) {
  MultiBuilder m;
  m.add(OpCode::kCreate, create_req("/dup")).add(OpCode::kCreate, create_req("/dup"));
  std::vector<MultiResult> r = run(m);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].err, 0);
  EXPECT_EQ(r[1].err, -110);
  EXPECT_FALSE(exists("/dup"));
}

TEST_F(MultiTest, SequentialCreatesInOneMultiGetDistinctNames) {
  ASSERT_EQ(create("/s"), Err::kOk);
  MultiBuilder m;
  m.add(OpCode::kCreate, create_req("/s/n-", 2)).add(OpCode::kCreate, create_req("/s/n-", 2));
  std::vector<MultiResult> r = run(m);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].path, "/s/n-0000000000");
  EXPECT_EQ(r[1].path, "/s/n-0000000001");
}

TEST_F(MultiTest, EmptyMultiConsumesAZxidAndAnswersOnlyTheEndMarker) {
  proto::Txn txn = prep_multi(MultiBuilder{});
  EXPECT_TRUE(std::get<proto::MultiTxn>(txn.body).ops.empty());
  Outcome o = apply(txn, OpCode::kMulti);
  EXPECT_EQ(o.reply.err, Err::kOk);
  EXPECT_TRUE(decode_multi_response(o.reply.body).empty());
  EXPECT_EQ(o.reply.body.size(), 9u);  // {-1, true, -1}
  EXPECT_EQ(db_.tree().last_zxid(), zxid_);
}

TEST_F(MultiTest, ReadOpsSetAclAndSessionOpsMakeTheWholeMultiAMarshallingError) {
  ASSERT_EQ(create("/a"), Err::kOk);
  MultiBuilder with_read;
  with_read.add(OpCode::kCreate, create_req("/b"))
      .add(OpCode::kGetData, proto::GetDataRequest{"/a", false});
  proto::Txn txn = prep_multi(with_read);
  EXPECT_EQ(txn.header.type, -1);
  EXPECT_EQ(txn_error(txn), Err::kMarshallingError);
  Outcome o = apply(txn, OpCode::kMulti);
  EXPECT_EQ(o.reply.err, Err::kMarshallingError);
  EXPECT_TRUE(o.reply.body.empty());

  MultiBuilder with_set_acl;
  with_set_acl.add(OpCode::kSetACL, proto::SetAclRequest{"/a", kOpen, -1});
  EXPECT_EQ(txn_error(prep_multi(with_set_acl)), Err::kMarshallingError);
  EXPECT_EQ(txn_error(prep_raw(OpCode::kMulti, std::string("\0\0", 2))), Err::kMarshallingError);
  EXPECT_FALSE(exists("/b"));
}

TEST_F(MultiTest, CreateTtlInsideAMultiAnswersWithAStat) {
  Database db{[] {
    DatabaseOptions o;
    o.extended_types_enabled = true;
    return o;
  }()};
  std::string body = MultiBuilder{}
                         .add(OpCode::kCreateTTL, proto::CreateTtlRequest{"/t", "", kOpen, 5, 5000})
                         .build();
  Request req = request(OpCode::kMulti, body);
  proto::Txn txn = db.prep(req, 1, now_);
  Outcome o = db.apply(txn, &req);
  std::vector<MultiResult> r = decode_multi_response(o.reply.body);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].type, 15);
  EXPECT_EQ(r[0].path, "/t");
}

TEST_F(MultiTest, MultiCheckNeedsReadPermission) {
  ASSERT_EQ(create("/r", "", testing::world(proto::perm::kWrite)), Err::kOk);
  MultiBuilder m;
  m.add(OpCode::kCheck, proto::CheckVersionRequest{"/r", -1});
  std::vector<MultiResult> r = run(m);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].err, -102);
}

}  // namespace
}  // namespace paddock::state
