// Prep of single writes: every op and error path, in ZooKeeper 3.8's order of checks.
#include <gtest/gtest.h>

#include "state/database_test_util.h"

namespace paddock::state {
namespace {

using proto::Err;
using proto::OpCode;
using testing::DbTest;
using testing::kOpen;
using testing::kSession;

class PrepTest : public DbTest {};

TEST_F(PrepTest, CreateReturnsTheFinalPathAndLogsACreateTxn) {
  const int32_t root_creates = db_.tree().find("/")->stat.cversion;
  proto::Txn txn = prep(OpCode::kCreate, proto::CreateRequest{"/a", "hello", kOpen, 0});
  EXPECT_EQ(txn.header.type, 1);
  EXPECT_EQ(txn.header.session_id, kSession);
  EXPECT_EQ(txn.header.zxid, zxid_);
  EXPECT_EQ(txn.header.time_ms, now_);
  const auto& body = std::get<proto::CreateTxn>(txn.body);
  EXPECT_EQ(body.path, "/a");
  EXPECT_EQ(body.data, "hello");
  EXPECT_FALSE(body.ephemeral);
  EXPECT_EQ(body.parent_cversion, root_creates + 1);
  Outcome o = apply(txn, OpCode::kCreate);
  ASSERT_EQ(o.reply.err, Err::kOk);
  proto::CreateResponse resp;
  ASSERT_TRUE(proto::decode(o.reply.body, resp));
  EXPECT_EQ(resp.path, "/a");
}

TEST_F(PrepTest, Create2KeepsItsOpCodeAndAnswersWithTheStat) {
  proto::Txn txn = prep(OpCode::kCreate2, proto::CreateRequest{"/a", "xy", kOpen, 0});
  EXPECT_EQ(txn.header.type, 15);
  Outcome o = apply(txn, OpCode::kCreate2);
  proto::Create2Response resp;
  ASSERT_TRUE(proto::decode(o.reply.body, resp));
  EXPECT_EQ(resp.path, "/a");
  EXPECT_EQ(resp.stat.czxid, zxid_);
  EXPECT_EQ(resp.stat.data_length, 2);
}

TEST_F(PrepTest, CreateFailsWithNoNodeWhenTheParentIsMissing) {
  EXPECT_EQ(create("/missing/child"), Err::kNoNode);
}

TEST_F(PrepTest, CreateFailsWithNodeExistsWhenTheNodeIsThere) {
  ASSERT_EQ(create("/a"), Err::kOk);
  EXPECT_EQ(create("/a"), Err::kNodeExists);
  EXPECT_EQ(create("/"), Err::kNodeExists);  // as ZooKeeper: parent "/" exists, node exists
}

TEST_F(PrepTest, CreateRefusesBadFlagsAndBadPaths) {
  EXPECT_EQ(create("/a", "", kOpen, 7), Err::kBadArguments);
  EXPECT_EQ(create("/a", "", kOpen, -1), Err::kBadArguments);
  EXPECT_EQ(create("a"), Err::kBadArguments);
  EXPECT_EQ(create(""), Err::kBadArguments);
  EXPECT_EQ(create(std::string("/a\0b", 4)), Err::kBadArguments);
  EXPECT_EQ(create("/."), Err::kBadArguments);
  EXPECT_EQ(create("/x\x01"), Err::kBadArguments);
}

TEST_F(PrepTest, TrailingSlashIsNoNodeWithoutTheParentAndBadArgumentsWithIt) {
  // ZooKeeper looks the parent up (everything before the last '/') before the full path
  // rules, so the same path fails differently depending on the tree.
  EXPECT_EQ(create("/p/"), Err::kNoNode);
  ASSERT_EQ(create("/p"), Err::kOk);
  EXPECT_EQ(create("/p/"), Err::kBadArguments);
  EXPECT_EQ(create("/p//y"), Err::kNoNode);
}

TEST_F(PrepTest, SequentialNamesCountChildCreatesNotLiveChildren) {
  ASSERT_EQ(create("/q"), Err::kOk);
  EXPECT_EQ(create_path("/q/n-", 2), "/q/n-0000000000");
  EXPECT_EQ(create_path("/q/n-", 2), "/q/n-0000000001");
  EXPECT_EQ(create_path("/q/n-", 2), "/q/n-0000000002");
  ASSERT_EQ(remove("/q/n-0000000001"), Err::kOk);
  EXPECT_EQ(create_path("/q/n-", 2), "/q/n-0000000003");
  ASSERT_EQ(create("/q/plain"), Err::kOk);  // non-sequential creates count too
  EXPECT_EQ(create_path("/q/n-", 2), "/q/n-0000000005");
  EXPECT_EQ(create_path("/q/", 2), "/q/0000000006");  // "/q/" + suffix is a valid path
}

TEST_F(PrepTest, ChildOfAnEphemeralFailsWithNoChildrenForEphemerals) {
  ASSERT_EQ(create("/e", "", kOpen, 1), Err::kOk);
  EXPECT_EQ(create("/e/c"), Err::kNoChildrenForEphemerals);
  EXPECT_EQ(create("/e/c", "", kOpen, 2), Err::kNoChildrenForEphemerals);
  EXPECT_EQ(write(OpCode::kCreateContainer, proto::CreateRequest{"/e/k", "", kOpen, 4}).reply.err,
            Err::kNoChildrenForEphemerals);
  EXPECT_EQ(create("/e"), Err::kNodeExists);  // NODEEXISTS is checked first
  EXPECT_EQ(create("/e/a/b"), Err::kNoNode);  // the parent check comes before both
}

TEST_F(PrepTest, ContainersMayHaveChildren) {
  ASSERT_EQ(write(OpCode::kCreateContainer, proto::CreateRequest{"/k", "", kOpen, 4}).reply.err,
            Err::kOk);
  EXPECT_EQ(db_.tree().find("/k")->stat.ephemeral_owner, proto::kContainerOwner);
  EXPECT_EQ(stat("/k").ephemeral_owner, 0);  // clients see 0
  EXPECT_EQ(create("/k/c"), Err::kOk);
}

TEST_F(PrepTest, ContainerModeThroughPlainCreateMakesAPersistentNode) {
  // ZooKeeper logs a CreateTxn (no container flag) for create(op 1, mode CONTAINER).
  proto::Txn txn = prep(OpCode::kCreate, proto::CreateRequest{"/k", "", kOpen, 4});
  EXPECT_TRUE(std::holds_alternative<proto::CreateTxn>(txn.body));
  apply(txn, OpCode::kCreate);
  EXPECT_EQ(db_.tree().find("/k")->stat.ephemeral_owner, 0);
}

TEST_F(PrepTest, EphemeralCreateNeedsALiveSession) {
  session_ = 0x999;  // never created
  EXPECT_EQ(create("/e", "", kOpen, 1), Err::kSessionExpired);
  EXPECT_EQ(create("/p"), Err::kOk);  // persistent nodes do not name an owner
}

TEST_F(PrepTest, EphemeralCreateIsAllowedWhileTheSessionCreateIsPending) {
  proto::Txn open = db_.prep_create_session(0x77, 10000, ++zxid_, now_);
  session_ = 0x77;
  proto::Txn txn = prep(OpCode::kCreate, proto::CreateRequest{"/e", "", kOpen, 1});
  EXPECT_EQ(txn_error(txn), Err::kOk);
  db_.apply(open, nullptr);
  apply(txn, OpCode::kCreate);
  EXPECT_EQ(stat("/e").ephemeral_owner, 0x77);
}

TEST_F(PrepTest, DeleteChecksParentThenNodeThenVersionThenChildren) {
  EXPECT_EQ(remove("/missing/x"), Err::kNoNode);
  EXPECT_EQ(remove("/missing"), Err::kNoNode);
  ASSERT_EQ(create("/a"), Err::kOk);
  ASSERT_EQ(create("/a/b"), Err::kOk);
  EXPECT_EQ(remove("/a", 5), Err::kBadVersion);  // BADVERSION before NOTEMPTY
  EXPECT_EQ(remove("/a"), Err::kNotEmpty);
  EXPECT_EQ(remove("/a/b", 0), Err::kOk);
  EXPECT_EQ(remove("/a"), Err::kOk);
  EXPECT_FALSE(exists("/a"));
}

TEST_F(PrepTest, DeleteRefusesSpecialPathsAndPathsWithoutSlash) {
  EXPECT_EQ(remove("/"), Err::kBadArguments);
  EXPECT_EQ(remove("/zookeeper"), Err::kBadArguments);
  EXPECT_EQ(remove("/zookeeper/quota"), Err::kBadArguments);
  EXPECT_EQ(remove("/zookeeper/config"), Err::kBadArguments);
  EXPECT_EQ(remove("abc"), Err::kBadArguments);
  EXPECT_EQ(remove(""), Err::kBadArguments);
  ASSERT_EQ(create("/a"), Err::kOk);
  EXPECT_EQ(remove("/a/"), Err::kNoNode);  // no full path check for delete
  EXPECT_EQ(remove("/a/."), Err::kNoNode);
}

TEST_F(PrepTest, SetDataLogsTheResultingVersion) {
  ASSERT_EQ(create("/a", "x"), Err::kOk);
  proto::Txn txn = prep(OpCode::kSetData, proto::SetDataRequest{"/a", "yy", 0});
  EXPECT_EQ(std::get<proto::SetDataTxn>(txn.body).version, 1);
  Outcome o = apply(txn, OpCode::kSetData);
  proto::SetDataResponse resp;
  ASSERT_TRUE(proto::decode(o.reply.body, resp));
  EXPECT_EQ(resp.stat.version, 1);
  EXPECT_EQ(resp.stat.mzxid, zxid_);
  EXPECT_EQ(resp.stat.data_length, 2);
  EXPECT_EQ(set_data("/a", "z", 0), Err::kBadVersion);
  EXPECT_EQ(set_data("/a", "z", 1), Err::kOk);
  EXPECT_EQ(set_data("/a", "z", -1), Err::kOk);
  EXPECT_EQ(stat("/a").version, 3);
}

TEST_F(PrepTest, SetDataErrors) {
  EXPECT_EQ(set_data("/missing", "x"), Err::kNoNode);
  EXPECT_EQ(set_data("/missing", "x", 7), Err::kNoNode);
  EXPECT_EQ(set_data("abc", "x"), Err::kBadArguments);
  EXPECT_EQ(set_data("/a/", "x"), Err::kBadArguments);
  EXPECT_EQ(set_data("/", "root"), Err::kOk);
}

TEST_F(PrepTest, SetAclChecksTheAclBeforeTheNodeAndVersionsTheAversion) {
  EXPECT_EQ(set_acl("/missing", {}), Err::kInvalidAcl);
  EXPECT_EQ(set_acl("/missing", kOpen), Err::kNoNode);
  EXPECT_EQ(set_acl("abc", {}), Err::kBadArguments);
  ASSERT_EQ(create("/a"), Err::kOk);
  EXPECT_EQ(set_acl("/a", {}), Err::kInvalidAcl);
  EXPECT_EQ(set_acl("/a", kOpen, 3), Err::kBadVersion);
  proto::Txn txn = prep(OpCode::kSetACL, proto::SetAclRequest{"/a", testing::world(1), 0});
  EXPECT_EQ(std::get<proto::SetAclTxn>(txn.body).version, 1);
  Outcome o = apply(txn, OpCode::kSetACL);
  proto::SetAclResponse resp;
  ASSERT_TRUE(proto::decode(o.reply.body, resp));
  EXPECT_EQ(resp.stat.aversion, 1);
  EXPECT_EQ(resp.stat.version, 0);
  EXPECT_EQ(db_.tree().acl(*db_.tree().find("/a")), testing::world(1));
}

TEST_F(PrepTest, TopLevelCheckLogsVersionPlusOneAndAnswersEmpty) {
  ASSERT_EQ(create("/a"), Err::kOk);
  proto::Txn txn = prep(OpCode::kCheck, proto::CheckVersionRequest{"/a", 0});
  EXPECT_EQ(txn.header.type, 13);
  EXPECT_EQ(std::get<proto::CheckVersionTxn>(txn.body).version, 1);
  Outcome o = apply(txn, OpCode::kCheck);
  EXPECT_EQ(o.reply.err, Err::kOk);
  EXPECT_TRUE(o.reply.body.empty());
  EXPECT_EQ(write(OpCode::kCheck, proto::CheckVersionRequest{"/a", 4}).reply.err, Err::kBadVersion);
  EXPECT_EQ(write(OpCode::kCheck, proto::CheckVersionRequest{"/none", -1}).reply.err, Err::kNoNode);
}

TEST_F(PrepTest, AFailedWriteIsAnErrorTxnThatStillConsumesTheZxid) {
  proto::Txn txn = prep(OpCode::kDelete, proto::DeleteRequest{"/missing", -1});
  EXPECT_EQ(txn.header.type, -1);
  EXPECT_EQ(txn.header.zxid, zxid_);
  EXPECT_EQ(std::get<proto::ErrorTxn>(txn.body).err, -101);
  Outcome o = apply(txn, OpCode::kDelete);
  EXPECT_EQ(o.reply.err, Err::kNoNode);
  EXPECT_TRUE(o.reply.body.empty());
  EXPECT_EQ(db_.tree().last_zxid(), zxid_);
}

TEST_F(PrepTest, AMalformedRecordIsAMarshallingErrorTxn) {
  EXPECT_EQ(txn_error(prep_raw(OpCode::kCreate, std::string("\0\0\0\x02/a", 6))),
            Err::kMarshallingError);
  EXPECT_EQ(txn_error(prep_raw(OpCode::kSetData, std::string(1, '\0'))), Err::kMarshallingError);
}

TEST_F(PrepTest, ReconfigIsDisabled) {
  std::string body;
  proto::JuteWriter w(body);
  w.string("");
  w.string("");
  w.string("");
  w.i64(-1);
  EXPECT_EQ(txn_error(prep_raw(OpCode::kReconfig, body)), Err::kReconfigDisabled);
  EXPECT_EQ(txn_error(prep_raw(OpCode::kReconfig, "")), Err::kMarshallingError);
}

TEST_F(PrepTest, WritesFromAClosingSessionAreSessionExpired) {
  db_.prep_close_session(kSession, ++zxid_, now_);
  EXPECT_EQ(txn_error(prep(OpCode::kCreate, proto::CreateRequest{"/a", "", kOpen, 0})),
            Err::kSessionExpired);
  EXPECT_EQ(txn_error(prep(OpCode::kSetData, proto::SetDataRequest{"/", "", -1})),
            Err::kSessionExpired);
}

class TtlPrepTest : public DbTest {
 protected:
  TtlPrepTest() : DbTest(options()) {}
  static DatabaseOptions options() {
    DatabaseOptions o;
    o.extended_types_enabled = true;
    return o;
  }
  Err create_ttl(const std::string& path, int32_t flags, int64_t ttl) {
    return write(OpCode::kCreateTTL, proto::CreateTtlRequest{path, "", kOpen, flags, ttl})
        .reply.err;
  }
};

TEST_F(TtlPrepTest, CreateTtlNeedsATtlModeAndATtlInRange) {
  EXPECT_EQ(create_ttl("/t", 5, 0), Err::kBadArguments);
  EXPECT_EQ(create_ttl("/t", 5, proto::kMaxTtlMs + 1), Err::kBadArguments);
  EXPECT_EQ(create_ttl("/t", 0, 100), Err::kBadArguments);
  EXPECT_EQ(create_ttl("/t", 0, -1), Err::kBadArguments);  // ZooKeeper 3.8.0 crashes here
  EXPECT_EQ(create_ttl("/t", 1, 100), Err::kBadArguments);
  EXPECT_EQ(create("/t", "", kOpen, 5), Err::kBadArguments);  // TTL mode through create
  EXPECT_EQ(create_ttl("/t", 5, proto::kMaxTtlMs), Err::kOk);
  EXPECT_EQ(db_.tree().find("/t")->stat.ephemeral_owner, proto::kTtlOwnerMask | proto::kMaxTtlMs);
}

TEST_F(TtlPrepTest, CreateTtlAnswersWithTheStatAndSequentialTtlGetsASuffix) {
  ASSERT_EQ(create("/p"), Err::kOk);
  proto::Txn txn = prep(OpCode::kCreateTTL, proto::CreateTtlRequest{"/p/t-", "", kOpen, 6, 60000});
  EXPECT_EQ(txn.header.type, 21);
  EXPECT_EQ(std::get<proto::CreateTtlTxn>(txn.body).ttl, 60000);
  Outcome o = apply(txn, OpCode::kCreateTTL);
  proto::Create2Response resp;
  ASSERT_TRUE(proto::decode(o.reply.body, resp));
  EXPECT_EQ(resp.path, "/p/t-0000000000");
  EXPECT_EQ(resp.stat.ephemeral_owner, 0);
  EXPECT_EQ(create("/p/t-0000000000/child"), Err::kOk);  // TTL nodes may have children
}

TEST_F(PrepTest, TtlModesAreUnimplementedWithoutExtendedTypes) {
  EXPECT_EQ(write(OpCode::kCreateTTL, proto::CreateTtlRequest{"/t", "", kOpen, 5, 100}).reply.err,
            Err::kUnimplemented);
  EXPECT_EQ(write(OpCode::kCreateTTL, proto::CreateTtlRequest{"/t", "", kOpen, 5, 0}).reply.err,
            Err::kUnimplemented);
  EXPECT_EQ(create("/t", "", kOpen, 5), Err::kUnimplemented);
  EXPECT_EQ(write(OpCode::kCreateTTL, proto::CreateTtlRequest{"/t", "", kOpen, 0, 100}).reply.err,
            Err::kBadArguments);
}

class QuotaPrepTest : public DbTest {
 protected:
  QuotaPrepTest() : DbTest(options()) {}
  static DatabaseOptions options() {
    DatabaseOptions o;
    o.enforce_quota = true;
    return o;
  }
  void SetUp() override {
    DbTest::SetUp();
    ASSERT_EQ(create("/q"), Err::kOk);
    ASSERT_EQ(create("/q/a"), Err::kOk);
    // What zkCli's "setquota -N 3 -B 10 /q" leaves behind.
    ASSERT_EQ(create("/zookeeper/quota/q"), Err::kOk);
    ASSERT_EQ(create("/zookeeper/quota/q/zookeeper_stats", "count=0,bytes=0"), Err::kOk);
    ASSERT_EQ(create("/zookeeper/quota/q/zookeeper_limits",
                     "count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=3"),
              Err::kOk);
  }
};

TEST_F(QuotaPrepTest, CreatePastTheHardCountLimitIsQuotaExceededAfterNodeExists) {
  EXPECT_EQ(create("/q/b"), Err::kOk);  // /q, /q/a, /q/b: 3
  EXPECT_EQ(create("/q/c"), Err::kQuotaExceeded);
  EXPECT_EQ(create("/q/a"), Err::kNodeExists);
  EXPECT_EQ(create("/q/zz/x"), Err::kNoNode);
  EXPECT_EQ(create("/elsewhere"), Err::kOk);
}

TEST_F(QuotaPrepTest, SetDataPastTheHardByteLimitIsQuotaExceededBeforeBadVersion) {
  EXPECT_EQ(set_data("/q/a", std::string(11, 'x')), Err::kQuotaExceeded);
  EXPECT_EQ(set_data("/q/a", std::string(11, 'x'), 7), Err::kQuotaExceeded);
  EXPECT_EQ(set_data("/q/a", std::string(5, 'x')), Err::kOk);
  EXPECT_EQ(set_data("/q", std::string(5, 'x')), Err::kOk);
  EXPECT_EQ(set_data("/q", std::string(6, 'x')), Err::kQuotaExceeded);
}

}  // namespace
}  // namespace paddock::state

namespace paddock::state {
namespace {

using proto::Err;
using proto::OpCode;
using testing::DbTest;

class PrepLimitsTest : public DbTest {};

TEST_F(PrepLimitsTest, TheConfigNodeIsReadOnlyForClients) {
  EXPECT_EQ(set_data("/zookeeper/config", "x"), Err::kNoAuth);
  EXPECT_EQ(create("/zookeeper/mine"), Err::kOk);  // /zookeeper itself is open
}

TEST_F(PrepLimitsTest, DataUpToTheBufferLimitDecodes) {
  ASSERT_EQ(create("/a"), Err::kOk);
  EXPECT_EQ(set_data("/a", std::string(0xfffff, 'x')), Err::kOk);
  EXPECT_EQ(stat("/a").data_length, 0xfffff);
  // Larger than jute.maxbuffer + extrasize: the record does not decode.
  EXPECT_EQ(set_data("/a", std::string(2 * 0xfffff + 1, 'x')), Err::kMarshallingError);
}

TEST_F(PrepLimitsTest, ALargerMaxBufferAllowsLargerData) {
  DatabaseOptions o;
  o.max_data_bytes = 4 << 20;
  Database db(o);
  std::string body =
      proto::encode(proto::CreateRequest{"/big", std::string(3 << 20, 'x'), testing::kOpen, 0});
  Request req = request(OpCode::kCreate, body);
  EXPECT_EQ(txn_error(db.prep(req, 1, now_)), Err::kOk);
}

}  // namespace
}  // namespace paddock::state
