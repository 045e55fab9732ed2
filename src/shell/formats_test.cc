#include "shell/formats.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace paddock::shell {
namespace {

class FormatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};

TEST_F(FormatsTest, StatPrintsElevenLinesAsStatPrinter) {
  Stat s;
  s.czxid = 0x4;
  s.mzxid = 0x1f;
  s.pzxid = 0x9;
  s.ctime = 1796560519000;  // Sun Dec 06 12:35:19 UTC 2026
  s.mtime = 1796560519000;
  s.cversion = 4;
  s.version = 2;
  s.aversion = 1;
  s.ephemeral_owner = 0x100007a3a7b0000;
  s.data_length = 5;
  s.num_children = 3;
  EXPECT_EQ(format_stat(s),
            "cZxid = 0x4\n"
            "ctime = Sun Dec 06 12:35:19 UTC 2026\n"
            "mZxid = 0x1f\n"
            "mtime = Sun Dec 06 12:35:19 UTC 2026\n"
            "pZxid = 0x9\n"
            "cversion = 4\n"
            "dataVersion = 2\n"
            "aclVersion = 1\n"
            "ephemeralOwner = 0x100007a3a7b0000\n"
            "dataLength = 5\n"
            "numChildren = 3\n");
}

TEST_F(FormatsTest, HexOfANegativeOwnerIsTwosComplementAsJava) {
  EXPECT_EQ(java_hex(proto::kContainerOwner), "8000000000000000");
  EXPECT_EQ(java_hex(0), "0");
}

TEST_F(FormatsTest, AclTextAndPermOrder) {
  AclList acl = {
      Acl{proto::perm::kAll, {"world", "anyone"}},
      Acl{proto::perm::kRead | proto::perm::kAdmin, {"digest", "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="}}};
  EXPECT_EQ(format_acl(acl),
            "'world,'anyone\n: cdrwa\n'digest,'u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ=\n: ra\n");
  EXPECT_EQ(perm_string(0), "");
}

TEST_F(FormatsTest, ParseAclSplitsOnFirstAndLastColonAndWarnsLikeAclParser) {
  ParsedAcl p = parse_acl("world:anyone:cdrwa,digest:u:hash=:r,bad,ip:1.2.3.4:rxz");
  ASSERT_EQ(p.acl.size(), 3u);
  EXPECT_EQ(p.acl[0], (Acl{proto::perm::kAll, {"world", "anyone"}}));
  EXPECT_EQ(p.acl[1], (Acl{proto::perm::kRead, {"digest", "u:hash="}}));
  EXPECT_EQ(p.acl[2], (Acl{proto::perm::kRead, {"ip", "1.2.3.4"}}));
  EXPECT_EQ(
      p.warnings,
      "bad does not have the form scheme:id:perm\nUnknown perm type: x\nUnknown perm type: z\n");
}

TEST_F(FormatsTest, EventTextAsWatchedEventToString) {
  EXPECT_EQ(
      event_text({client::EventType::kNodeDataChanged, client::KeeperState::kSyncConnected, "/x"}),
      "WatchedEvent state:SyncConnected type:NodeDataChanged path:/x");
  EXPECT_EQ(event_text({client::EventType::kNone, client::KeeperState::kSyncConnected, ""}),
            "WatchedEvent state:SyncConnected type:None path:null");
  EXPECT_EQ(event_text({client::EventType::kNone, client::KeeperState::kClosed, ""}),
            "WatchedEvent state:Closed type:None path:null");
}

TEST_F(FormatsTest, ErrorMessagesAsCliWrapperException) {
  EXPECT_EQ(error_message(Err::kNoNode, "/x"), "Node does not exist: /x");
  EXPECT_EQ(error_message(Err::kNodeExists, "/x"), "Node already exists: /x");
  EXPECT_EQ(error_message(Err::kNotEmpty, "/x"), "Node not empty: /x");
  EXPECT_EQ(error_message(Err::kBadVersion, "/x"), "version No is not valid : /x");
  EXPECT_EQ(error_message(Err::kNoAuth, "/x"), "Insufficient permission : /x");
  EXPECT_EQ(error_message(Err::kInvalidAcl, ""), "Acl is not valid : null");
  EXPECT_EQ(error_message(Err::kNoChildrenForEphemerals, "/e/c"),
            "Ephemerals cannot have children: /e/c");
  EXPECT_EQ(error_message(Err::kNoWatcher, "/a"), "KeeperErrorCode = No such watcher for /a");
  EXPECT_EQ(keeper_message(Err::kInvalidAcl, ""), "KeeperErrorCode = InvalidACL");
  EXPECT_EQ(keeper_message(Err::kConnectionLoss, "/a"), "KeeperErrorCode = ConnectionLoss for /a");
}

TEST_F(FormatsTest, QuotaRecordRoundTripsZooKeeper38Text) {
  QuotaRecord q = QuotaRecord::parse("count=5,bytes=100=;byteHardLimit=-1;countHardLimit=10");
  EXPECT_EQ(q.get("count"), 5);
  EXPECT_EQ(q.get("bytes"), 100);
  EXPECT_EQ(q.get("countHardLimit"), 10);
  EXPECT_EQ(q.to_string(), "count=5,bytes=100=;byteHardLimit=-1;countHardLimit=10");
  QuotaRecord s = QuotaRecord::parse("count=2,bytes=0");
  EXPECT_EQ(s.to_string(), "count=2,bytes=0");
  EXPECT_EQ(QuotaRecord::parse("").to_string(), "count=-1,bytes=-1");
}

TEST_F(FormatsTest, ClientConfigStringListsClientAddresses) {
  EXPECT_EQ(client_config_string(""), " ");
  EXPECT_EQ(client_config_string("server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\n"
                                 "server.2=h2:2889:3889;2182\nversion=100000000\n"),
            "100000000 127.0.0.1:2181,0.0.0.0:2182");
}

TEST_F(FormatsTest, JsonFormsUseStatFieldNames) {
  Stat s;
  s.version = 3;
  s.ephemeral_owner = 7;
  auto j = stat_json(s);
  EXPECT_EQ(j["version"], 3);
  EXPECT_EQ(j["ephemeralOwner"], 7);
  EXPECT_TRUE(data_json(std::nullopt).is_null());
  EXPECT_EQ(event_json({client::EventType::kNodeCreated, client::KeeperState::kSyncConnected, "/a"})
                .dump(),
            R"({"path":"/a","state":"SyncConnected","type":"NodeCreated"})");
}

}  // namespace
}  // namespace paddock::shell
