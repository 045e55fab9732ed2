#include "bench/requests.h"

#include <gtest/gtest.h>

#include "bench/endpoint.h"
#include "bench/op_mix.h"
#include "client/framing.h"
#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::bench {
namespace {

// Splits one frame off `bytes`: checks the length prefix and returns the body.
std::string_view body_of(const std::string& bytes) {
  proto::JuteReader r(bytes);
  int32_t len = r.i32();
  EXPECT_EQ(static_cast<size_t>(len), bytes.size() - 4);
  return std::string_view(bytes).substr(4);
}

TEST(RequestsTest, GetDataFrameDecodesAsTheProtoRecord) {
  std::string out;
  RequestRecords().get_data(out, 7, "/a/b", true);
  std::string_view body = body_of(out);
  proto::JuteReader r(body);
  proto::RequestHeader h;
  read(r, h);
  EXPECT_EQ(h.xid, 7);
  EXPECT_EQ(h.type, static_cast<int32_t>(proto::OpCode::kGetData));
  proto::GetDataRequest req;
  read(r, req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(req.path, "/a/b");
  EXPECT_TRUE(req.watch);
  EXPECT_TRUE(r.at_end());
}

TEST(RequestsTest, CreateFrameCarriesOpenAclAndFlags) {
  std::string out;
  RequestRecords().create(out, 3, "/seq/n-", "data", 2);
  proto::JuteReader r(body_of(out));
  proto::RequestHeader h;
  read(r, h);
  proto::CreateRequest req;
  read(r, req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(req.path, "/seq/n-");
  EXPECT_EQ(req.data, "data");
  ASSERT_EQ(req.acl.size(), 1u);
  EXPECT_EQ(req.acl[0].perms, proto::perm::kAll);
  EXPECT_EQ(req.acl[0].id.scheme, "world");
  EXPECT_EQ(req.acl[0].id.id, "anyone");
  EXPECT_EQ(req.flags, 2);
  EXPECT_TRUE(r.at_end());
}

TEST(RequestsTest, FramesAppendBackToBack) {
  std::string out;
  RequestRecords records;
  records.set_data(out, 1, "/k", "vv", -1);
  size_t first = out.size();
  records.exists(out, 2, "/k", false);
  proto::JuteReader r(std::string_view(out).substr(first));
  EXPECT_EQ(static_cast<size_t>(r.i32()), out.size() - first - 4);
  EXPECT_EQ(r.i32(), 2);
}

TEST(RequestsTest, MultiOfTwoSetsEndsWithTheDoneMarker) {
  std::string out;
  RequestRecords().multi_set_two(out, 9, "/a", "/b", "x");
  proto::JuteReader r(body_of(out));
  proto::RequestHeader h;
  read(r, h);
  EXPECT_EQ(h.type, static_cast<int32_t>(proto::OpCode::kMulti));
  for (const char* path : {"/a", "/b"}) {
    proto::MultiHeader mh;
    read(r, mh);
    EXPECT_EQ(mh.type, static_cast<int32_t>(proto::OpCode::kSetData));
    EXPECT_FALSE(mh.done);
    proto::SetDataRequest set;
    read(r, set);
    EXPECT_EQ(set.path, path);
    EXPECT_EQ(set.version, -1);
  }
  proto::MultiHeader end;
  read(r, end);
  EXPECT_TRUE(end.done);
  EXPECT_EQ(end.type, -1);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(RequestsTest, ConnectRequestAsksForTheTimeoutWithANewSession) {
  std::string out;
  RequestRecords().connect(out, 30000);
  proto::ConnectRequest req;
  ASSERT_TRUE(proto::decode(body_of(out), req));
  EXPECT_EQ(req.timeout_ms, 30000);
  EXPECT_EQ(req.session_id, 0);
  EXPECT_EQ(req.passwd.size(), 16u);
}

// The records are reused: a shorter path or payload after a longer one leaves no stale bytes.
TEST(RequestsTest, ReusedRecordsCarryOnlyTheLatestRequest) {
  RequestRecords records;
  std::string first, second;
  records.set_data(first, 1, "/a/much/longer/path", "long payload", -1);
  records.set_data(second, 2, "/b", "p", 5);
  proto::JuteReader r(body_of(second));
  proto::RequestHeader h;
  read(r, h);
  proto::SetDataRequest req;
  read(r, req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(h.xid, 2);
  EXPECT_EQ(req.path, "/b");
  EXPECT_EQ(req.data, "p");
  EXPECT_EQ(req.version, 5);
  EXPECT_TRUE(r.at_end());
}

TEST(RequestsTest, PingAndCloseAreHeadersOnly) {
  std::string out;
  RequestRecords records;
  records.ping(out);
  records.close_session(out, 4);
  ASSERT_EQ(out.size(), 24u);  // two frames of length 8
  proto::JuteReader r(out);
  EXPECT_EQ(r.i32(), 8);
  EXPECT_EQ(r.i32(), proto::xid::kPing);
  EXPECT_EQ(r.i32(), static_cast<int32_t>(proto::OpCode::kPing));
  EXPECT_EQ(r.i32(), 8);
  EXPECT_EQ(r.i32(), 4);
  EXPECT_EQ(r.i32(), static_cast<int32_t>(proto::OpCode::kCloseSession));
}

TEST(RequestsTest, ServerListDefaultsThePortAndRejectsBadOnes) {
  auto s = parse_servers("127.0.0.1:2182,localhost");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].port, 2182);
  EXPECT_EQ((*s)[1].host, "localhost");
  EXPECT_EQ((*s)[1].port, 2181);
  EXPECT_FALSE(parse_servers("h:0"));
  EXPECT_FALSE(parse_servers("h:x"));
  EXPECT_FALSE(parse_servers(""));
}

TEST(OpMixTest, ScheduleKeepsTheExactProportions) {
  auto mix = OpMix::parse("get=90,set=10");
  ASSERT_TRUE(mix);
  EXPECT_EQ(mix->schedule_size(), 10u);
  int sets = 0;
  for (uint64_t i = 0; i < 1000; ++i) sets += mix->at(i) == OpKind::kSet;
  EXPECT_EQ(sets, 100);
  EXPECT_TRUE(mix->has_writes());
  EXPECT_EQ(mix->to_string(), "get=90,set=10");
}

TEST(OpMixTest, ReadOnlyMixHasNoWrites) {
  auto mix = OpMix::parse("get=1,exists=1,children=2");
  ASSERT_TRUE(mix);
  EXPECT_FALSE(mix->has_writes());
  EXPECT_EQ(mix->schedule_size(), 4u);
}

TEST(OpMixTest, BadMixesAreRefusedWithAReason) {
  EXPECT_FALSE(OpMix::parse("get"));
  EXPECT_FALSE(OpMix::parse("get=x"));
  EXPECT_FALSE(OpMix::parse("fetch=1"));
  EXPECT_FALSE(OpMix::parse("get=0"));
  EXPECT_FALSE(OpMix::parse(""));
  auto bad = OpMix::parse("frob=3");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("frob"), std::string::npos);
}

}  // namespace
}  // namespace paddock::bench
