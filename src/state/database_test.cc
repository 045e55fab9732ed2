// Reads, watch ops and the events of apply, through the Database face.
#include <gtest/gtest.h>

#include "state/database_test_util.h"

namespace paddock::state {
namespace {

using proto::Err;
using proto::EventType;
using proto::OpCode;
using testing::DbTest;
using testing::kOpen;
using testing::kSession;
using testing::kWatcher;
using testing::MultiBuilder;

class ReadTest : public DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    ASSERT_EQ(create("/a", "data"), Err::kOk);
    ASSERT_EQ(create("/a/x"), Err::kOk);
    ASSERT_EQ(create("/a/y"), Err::kOk);
    ASSERT_EQ(create("/a/x/deep"), Err::kOk);
  }
  std::vector<WatchEvent> events_after(const std::function<void()>& change) {
    events_.clear();
    change();
    return events_;
  }
  // Writes that collect the events they fire.
  void set(const std::string& path, const std::string& data) {
    Outcome o = write(OpCode::kSetData, proto::SetDataRequest{path, data, -1});
    events_.insert(events_.end(), o.events.begin(), o.events.end());
  }
  void make(const std::string& path) {
    Outcome o = write(OpCode::kCreate, proto::CreateRequest{path, "", kOpen, 0});
    events_.insert(events_.end(), o.events.begin(), o.events.end());
  }
  std::vector<WatchEvent> events_;
};

WatchEvent event(EventType type, const std::string& path) {
  return WatchEvent{kWatcher, type, proto::KeeperState::kSyncConnected, path};
}

TEST_F(ReadTest, ExistsAnswersTheStatAndWatchesEvenAMissingNode) {
  Outcome o = read(OpCode::kExists, proto::ExistsRequest{"/a", false});
  proto::ExistsResponse resp;
  ASSERT_TRUE(proto::decode(o.reply.body, resp));
  EXPECT_EQ(resp.stat, stat("/a"));
  EXPECT_EQ(read(OpCode::kExists, proto::ExistsRequest{"/b", true}).reply.err, Err::kNoNode);
  EXPECT_EQ(events_after([&] { make("/b"); }),
            std::vector<WatchEvent>{event(EventType::kNodeCreated, "/b")});
  EXPECT_EQ(read(OpCode::kExists, proto::ExistsRequest{std::string("/a\0", 3), false}).reply.err,
            Err::kBadArguments);
}

TEST_F(ReadTest, GetDataOnAMissingNodeIsNoNodeAndSetsNoWatch) {
  EXPECT_EQ(read(OpCode::kGetData, proto::GetDataRequest{"/b", true}).reply.err, Err::kNoNode);
  EXPECT_EQ(read(OpCode::kGetChildren, proto::GetChildrenRequest{"/b", true}).reply.err,
            Err::kNoNode);
  EXPECT_TRUE(events_after([&] { make("/b"); }).empty());
}

TEST_F(ReadTest, GetDataAnswersDataAndStatAndWatchesChanges) {
  Outcome o = read(OpCode::kGetData, proto::GetDataRequest{"/a", true});
  proto::GetDataResponse resp;
  ASSERT_TRUE(proto::decode(o.reply.body, resp));
  EXPECT_EQ(resp.data, "data");
  EXPECT_EQ(resp.stat, stat("/a"));
  EXPECT_EQ(events_after([&] { set("/a", "new"); }),
            std::vector<WatchEvent>{event(EventType::kNodeDataChanged, "/a")});
  EXPECT_TRUE(events_after([&] { set("/a", "again"); }).empty());  // one-shot
}

TEST_F(ReadTest, GetChildrenAndGetChildren2) {
  proto::GetChildrenResponse c1;
  ASSERT_TRUE(proto::decode(
      read(OpCode::kGetChildren, proto::GetChildrenRequest{"/a", true}).reply.body, c1));
  EXPECT_EQ(c1.children, (std::vector<std::string>{"x", "y"}));
  proto::GetChildren2Response c2;
  ASSERT_TRUE(proto::decode(
      read(OpCode::kGetChildren2, proto::GetChildren2Request{"/a", false}).reply.body, c2));
  EXPECT_EQ(c2.children, c1.children);
  EXPECT_EQ(c2.stat, stat("/a"));
  EXPECT_EQ(events_after([&] { make("/a/z"); }),
            std::vector<WatchEvent>{event(EventType::kNodeChildrenChanged, "/a")});
}

TEST_F(ReadTest, TheEmptyPathReadsAsTheRoot) {
  proto::GetChildrenResponse c;
  ASSERT_TRUE(proto::decode(
      read(OpCode::kGetChildren, proto::GetChildrenRequest{"", false}).reply.body, c));
  EXPECT_EQ(c.children, (std::vector<std::string>{"a", "zookeeper"}));
  EXPECT_EQ(read(OpCode::kExists, proto::ExistsRequest{"", false}).reply.err, Err::kOk);
  EXPECT_EQ(read(OpCode::kGetData, proto::GetDataRequest{"abc", false}).reply.err, Err::kNoNode);
}

TEST_F(ReadTest, GetAllChildrenNumberCountsDescendants) {
  proto::GetAllChildrenNumberResponse resp;
  ASSERT_TRUE(proto::decode(
      read(OpCode::kGetAllChildrenNumber, proto::GetAllChildrenNumberRequest{"/a"}).reply.body,
      resp));
  EXPECT_EQ(resp.total_number, 3);
  EXPECT_EQ(read(OpCode::kGetAllChildrenNumber, proto::GetAllChildrenNumberRequest{"/b"}).reply.err,
            Err::kNoNode);
}

TEST_F(ReadTest, GetEphemeralsListsThisSessionsPathsUnderThePrefix) {
  ASSERT_EQ(create("/e1", "", kOpen, 1), Err::kOk);
  ASSERT_EQ(create("/ea", "", kOpen, 1), Err::kOk);
  ASSERT_EQ(create("/a/e2", "", kOpen, 1), Err::kOk);
  auto list = [&](const std::string& prefix) {
    proto::GetEphemeralsResponse resp;
    EXPECT_TRUE(proto::decode(
        read(OpCode::kGetEphemerals, proto::GetEphemeralsRequest{prefix}).reply.body, resp));
    return resp.ephemerals;
  };
  const std::vector<std::string> all{"/a/e2", "/e1", "/ea"};
  EXPECT_EQ(list("/"), all);
  EXPECT_EQ(list(""), all);
  EXPECT_EQ(list(" / "), all);
  EXPECT_EQ(list("/e"), (std::vector<std::string>{"/e1", "/ea"}));
  EXPECT_EQ(list("/zzz"), std::vector<std::string>{});
  session_ = 0x5;
  EXPECT_EQ(list("/"), std::vector<std::string>{});
}

TEST_F(ReadTest, WhoAmIListsTheConnectionsIds) {
  as({proto::Id{"ip", "127.0.0.1"}, proto::Id{"digest", "user1:hash="}, proto::Id{"super", ""}});
  proto::WhoAmIResponse resp;
  ASSERT_TRUE(proto::decode(read(OpCode::kWhoAmI, proto::ErrorResponse{}).reply.body, resp));
  // In ZooKeeper's order for these ids (its connection keeps them in a hash set).
  EXPECT_EQ(resp.client_info, (std::vector<proto::ClientInfo>{
                                  {"digest", "user1"}, {"super", ""}, {"ip", "127.0.0.1"}}));
}

TEST_F(ReadTest, MultiReadAnswersEachOpAndErrorsInPlace) {
  std::string body = MultiBuilder{}
                         .add(OpCode::kGetData, proto::GetDataRequest{"/a", false})
                         .add(OpCode::kGetChildren, proto::GetChildrenRequest{"/a", false})
                         .add(OpCode::kGetData, proto::GetDataRequest{"/nonode", false})
                         .build();
  Outcome o = db_.read(request(OpCode::kMultiRead, body));
  ASSERT_EQ(o.reply.err, Err::kOk);
  std::vector<testing::MultiResult> r = testing::decode_multi_response(o.reply.body);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].type, 4);
  EXPECT_EQ(r[0].data, "data");
  EXPECT_EQ(r[0].stat, stat("/a"));
  EXPECT_EQ(r[1].type, 8);
  EXPECT_EQ(r[1].children, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(r[2].type, -1);
  EXPECT_EQ(r[2].err, -101);
}

TEST_F(ReadTest, MultiReadWithAnythingButGetDataOrGetChildrenIsAMarshallingError) {
  std::string body =
      MultiBuilder{}.add(OpCode::kGetChildren2, proto::GetChildren2Request{"/a", false}).build();
  EXPECT_EQ(db_.read(request(OpCode::kMultiRead, body)).reply.err, Err::kMarshallingError);
  body = MultiBuilder{}.add(OpCode::kCreate, proto::CreateRequest{"/n", "", kOpen, 0}).build();
  EXPECT_EQ(db_.read(request(OpCode::kMultiRead, body)).reply.err, Err::kMarshallingError);
  Outcome empty = db_.read(request(OpCode::kMultiRead, MultiBuilder{}.build()));
  EXPECT_EQ(empty.reply.err, Err::kOk);
  EXPECT_TRUE(testing::decode_multi_response(empty.reply.body).empty());
}

TEST_F(ReadTest, SyncAnswersThePathAndUnknownOpsAreUnimplemented) {
  proto::SyncResponse resp;
  ASSERT_TRUE(proto::decode(read(OpCode::kSync, proto::SyncRequest{"/a"}).reply.body, resp));
  EXPECT_EQ(resp.path, "/a");
  EXPECT_EQ(db_.read(request(static_cast<OpCode>(99), "")).reply.err, Err::kUnimplemented);
  EXPECT_EQ(db_.read(request(OpCode::kGetData, "")).reply.err, Err::kMarshallingError);
}

TEST_F(ReadTest, AddWatchIsPersistentAndAnswersErrorResponseZero) {
  Outcome o = read(OpCode::kAddWatch, proto::AddWatchRequest{"/w", 0});
  EXPECT_EQ(o.reply.err, Err::kOk);
  EXPECT_EQ(o.reply.body, proto::encode(proto::ErrorResponse{0}));
  EXPECT_EQ(events_after([&] {
              make("/w");
              set("/w", "1");
              make("/w/c");
            }),
            (std::vector<WatchEvent>{event(EventType::kNodeCreated, "/w"),
                                     event(EventType::kNodeDataChanged, "/w"),
                                     event(EventType::kNodeChildrenChanged, "/w")}));
  EXPECT_EQ(read(OpCode::kAddWatch, proto::AddWatchRequest{"/w", 5}).reply.err,
            Err::kMarshallingError);
}

TEST_F(ReadTest, RecursiveAddWatchSeesDescendants) {
  read(OpCode::kAddWatch, proto::AddWatchRequest{"/r", 1});
  EXPECT_EQ(events_after([&] {
              make("/r");
              make("/r/deep");
            }),
            (std::vector<WatchEvent>{event(EventType::kNodeCreated, "/r"),
                                     event(EventType::kNodeCreated, "/r/deep")}));
}

TEST_F(ReadTest, CheckAndRemoveWatchesAnswerNoWatcherWhenNothingMatches) {
  auto check = [&](const std::string& path, int32_t type) {
    return read(OpCode::kCheckWatches, proto::CheckWatchesRequest{path, type}).reply.err;
  };
  auto remove_watch = [&](const std::string& path, int32_t type) {
    return read(OpCode::kRemoveWatches, proto::RemoveWatchesRequest{path, type}).reply.err;
  };
  EXPECT_EQ(check("/a", 3), Err::kNoWatcher);
  EXPECT_EQ(remove_watch("/a", 3), Err::kNoWatcher);
  read(OpCode::kGetData, proto::GetDataRequest{"/a", true});
  EXPECT_EQ(check("/a", 2), Err::kOk);
  EXPECT_EQ(check("/a", 1), Err::kNoWatcher);
  EXPECT_EQ(check("/a", 3), Err::kOk);
  EXPECT_EQ(check("/a", 7), Err::kMarshallingError);
  EXPECT_EQ(check("abc", 2), Err::kMarshallingError);  // ZooKeeper 3.8.0's quirk
  EXPECT_EQ(remove_watch("abc", 2), Err::kNoWatcher);
  Outcome removed = read(OpCode::kRemoveWatches, proto::RemoveWatchesRequest{"/a", 2});
  EXPECT_EQ(removed.reply.err, Err::kOk);
  EXPECT_TRUE(removed.reply.body.empty());
  EXPECT_TRUE(removed.events.empty());
  EXPECT_EQ(check("/a", 2), Err::kNoWatcher);
  EXPECT_TRUE(events_after([&] { set("/a", "z"); }).empty());
}

class SetWatchesTest : public ReadTest {
 protected:
  void SetUp() override {
    ReadTest::SetUp();
    ASSERT_EQ(create("/old"), Err::kOk);
    ASSERT_EQ(create("/mod"), Err::kOk);
    ASSERT_EQ(create("/ch"), Err::kOk);
    relative_ = zxid_;
    ASSERT_EQ(set_data("/mod", "x"), Err::kOk);
    ASSERT_EQ(create("/ch/kid"), Err::kOk);
  }
  int64_t relative_ = 0;
};

TEST_F(SetWatchesTest, FiresWhatHappenedSinceRelativeZxidAndArmsTheRest) {
  proto::SetWatches2 req{relative_,
                         {"/old", "/mod", "/gone"},
                         {"/old", "/missing"},
                         {"/old", "/ch", "/gone2"},
                         {"/pers"},
                         {"/prec"}};
  Outcome o = read(OpCode::kSetWatches2, req);
  EXPECT_EQ(o.reply.err, Err::kOk);
  EXPECT_TRUE(o.reply.body.empty());
  EXPECT_EQ(o.events, (std::vector<WatchEvent>{event(EventType::kNodeDataChanged, "/mod"),
                                               event(EventType::kNodeDeleted, "/gone"),
                                               event(EventType::kNodeCreated, "/old"),
                                               event(EventType::kNodeChildrenChanged, "/ch"),
                                               event(EventType::kNodeDeleted, "/gone2")}));
  std::vector<WatchEvent> later = events_after([&] {
    set("/old", "y");
    set("/mod", "y");  // fired at once above: not re-armed
    make("/ch/k2");    // same
    make("/missing");
    make("/pers");
    make("/prec");
    make("/prec/deep");
  });
  EXPECT_EQ(later, (std::vector<WatchEvent>{event(EventType::kNodeDataChanged, "/old"),
                                            event(EventType::kNodeCreated, "/missing"),
                                            event(EventType::kNodeCreated, "/pers"),
                                            event(EventType::kNodeCreated, "/prec"),
                                            event(EventType::kNodeCreated, "/prec/deep")}));
}

TEST_F(SetWatchesTest, VersionOneHasNoPersistentWatches) {
  proto::SetWatches req{relative_, {"/mod"}, {}, {"/old"}};
  Outcome o = read(OpCode::kSetWatches, req);
  EXPECT_EQ(o.events, std::vector<WatchEvent>{event(EventType::kNodeDataChanged, "/mod")});
  EXPECT_EQ(events_after([&] { make("/old/k"); }),
            std::vector<WatchEvent>{event(EventType::kNodeChildrenChanged, "/old")});
}

TEST_F(SetWatchesTest, ARelativeZxidFromTheFutureFiresOnlyForMissingNodes) {
  proto::SetWatches req{zxid_ + 1000, {"/mod"}, {"/nope"}, {"/gone"}};
  Outcome o = read(OpCode::kSetWatches, req);
  EXPECT_EQ(o.events, std::vector<WatchEvent>{event(EventType::kNodeDeleted, "/gone")});
}

TEST_F(ReadTest, ApplyWithoutAnOriginReturnsEventsAndNoReply) {
  read(OpCode::kExists, proto::ExistsRequest{"/n", true});
  proto::Txn txn = prep(OpCode::kCreate, proto::CreateRequest{"/n", "", kOpen, 0});
  Outcome o = db_.apply(txn, nullptr);
  EXPECT_EQ(o.events, std::vector<WatchEvent>{event(EventType::kNodeCreated, "/n")});
  EXPECT_TRUE(o.reply.body.empty());
}

class WatchAclTest : public ReadTest {
 protected:
  void SetUp() override {
    ReadTest::SetUp();
    db_.set_watcher_auth([this](WatcherId w) -> const std::vector<proto::Id>* {
      if (w == kWatcher) return &watcher_ids_;
      return nullptr;
    });
  }
  std::vector<proto::Id> watcher_ids_{proto::Id{"ip", "127.0.0.1"}};
};

TEST_F(WatchAclTest, EventsNeedReadOnTheChangedNodeWhenTheyFire) {
  read(OpCode::kGetData, proto::GetDataRequest{"/a", true});
  read(OpCode::kGetChildren, proto::GetChildrenRequest{"/a", true});
  read(OpCode::kExists, proto::ExistsRequest{"/w", true});
  ASSERT_EQ(set_acl("/a", testing::world(proto::perm::kAll & ~proto::perm::kRead)), Err::kOk);
  EXPECT_TRUE(events_after([&] {
                set("/a", "x");
                make("/a/new");
                write(OpCode::kCreate,
                      proto::CreateRequest{"/w", "", testing::world(proto::perm::kWrite), 0});
              }).empty());
}

TEST_F(WatchAclTest, DeletionsAreJudgedByTheDeletedNodesAcl) {
  ASSERT_EQ(create("/open"), Err::kOk);
  ASSERT_EQ(create("/closed", "", testing::world(proto::perm::kWrite | proto::perm::kDelete)),
            Err::kOk);
  read(OpCode::kExists, proto::ExistsRequest{"/open", true});
  read(OpCode::kExists, proto::ExistsRequest{"/closed", true});
  Outcome o1 = write(OpCode::kDelete, proto::DeleteRequest{"/open", -1});
  Outcome o2 = write(OpCode::kDelete, proto::DeleteRequest{"/closed", -1});
  EXPECT_EQ(o1.events, std::vector<WatchEvent>{event(EventType::kNodeDeleted, "/open")});
  EXPECT_TRUE(o2.events.empty());
}

TEST_F(WatchAclTest, SuperSeesEverythingAndSetWatchesIsNotFiltered) {
  ASSERT_EQ(create("/s", "", testing::world(proto::perm::kWrite)), Err::kOk);
  read(OpCode::kExists, proto::ExistsRequest{"/s", true});
  watcher_ids_.push_back(proto::Id{"super", ""});
  EXPECT_EQ(events_after([&] { set("/s", "1"); }),
            std::vector<WatchEvent>{event(EventType::kNodeDataChanged, "/s")});
  watcher_ids_.pop_back();
  Outcome o = read(OpCode::kSetWatches, proto::SetWatches{0, {"/s"}, {}, {}});
  EXPECT_EQ(o.events, std::vector<WatchEvent>{event(EventType::kNodeDataChanged, "/s")});
}

TEST(DatabaseTest, IsWriteCoversTheOpsThatBecomeTxns) {
  for (OpCode op :
       {OpCode::kCreate, OpCode::kCreate2, OpCode::kCreateContainer, OpCode::kCreateTTL,
        OpCode::kDelete, OpCode::kSetData, OpCode::kSetACL, OpCode::kMulti, OpCode::kCheck,
        OpCode::kCreateSession, OpCode::kCloseSession, OpCode::kReconfig,
        OpCode::kDeleteContainer}) {
    EXPECT_TRUE(Database::is_write(op)) << static_cast<int>(op);
  }
  for (OpCode op : {OpCode::kExists, OpCode::kGetData, OpCode::kSync, OpCode::kMultiRead,
                    OpCode::kSetWatches, OpCode::kAddWatch, OpCode::kPing, OpCode::kSasl}) {
    EXPECT_FALSE(Database::is_write(op)) << static_cast<int>(op);
  }
}

TEST(DatabaseTest, CreateSessionAndCloseSessionTxns) {
  Database db{DatabaseOptions{}};
  proto::Txn open = db.prep_create_session(0x10, 4000, 1, 99);
  EXPECT_EQ(open.header, (proto::TxnHeader{0x10, 0, 1, 99, -10}));
  EXPECT_EQ(std::get<proto::CreateSessionTxn>(open.body).timeout_ms, 4000);
  db.apply(open, nullptr);
  EXPECT_EQ(db.tree().sessions().at(0x10), 4000);
  proto::Txn close = db.prep_close_session(0x10, 2, 100);
  EXPECT_EQ(close.header.type, -11);
  db.apply(close, nullptr);
  EXPECT_EQ(db.tree().sessions().count(0x10), 0u);
}

TEST(DatabaseTest, ForwardedSessionRequestsArePreparedToo) {
  Database db{DatabaseOptions{}};
  std::string body;
  proto::JuteWriter(body).i32(5000);
  Request req;
  req.session_id = 0x20;
  req.op = OpCode::kCreateSession;
  req.body = body;
  proto::Txn open = db.prep(req, 1, 5);
  EXPECT_EQ(open.header.type, -10);
  EXPECT_EQ(std::get<proto::CreateSessionTxn>(open.body).timeout_ms, 5000);
  req.op = OpCode::kCloseSession;
  req.xid = 9;
  proto::Txn close = db.prep(req, 2, 5);
  EXPECT_EQ(close.header.type, -11);
  EXPECT_EQ(close.header.cxid, 9);
}

}  // namespace
}  // namespace paddock::state
