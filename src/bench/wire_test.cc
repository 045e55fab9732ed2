#include "bench/wire.h"

#include <gtest/gtest.h>

#include "bench/op_mix.h"
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

TEST(WireTest, GetDataFrameDecodesAsTheProtoRecord) {
  std::string out;
  RequestEncoder(out).get_data(7, "/a/b", true);
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

TEST(WireTest, CreateFrameCarriesOpenAclAndFlags) {
  std::string out;
  RequestEncoder(out).create(3, "/seq/n-", "data", 2);
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

TEST(WireTest, FramesAppendBackToBack) {
  std::string out;
  RequestEncoder enc(out);
  enc.set_data(1, "/k", "vv", -1);
  size_t first = out.size();
  enc.exists(2, "/k", false);
  proto::JuteReader r(std::string_view(out).substr(first));
  EXPECT_EQ(static_cast<size_t>(r.i32()), out.size() - first - 4);
  EXPECT_EQ(r.i32(), 2);
}

TEST(WireTest, MultiOfTwoSetsEndsWithTheDoneMarker) {
  std::string out;
  RequestEncoder(out).multi_set_two(9, "/a", "/b", "x");
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

TEST(WireTest, ConnectRequestAsksForTheTimeoutWithANewSession) {
  std::string out;
  RequestEncoder(out).connect(30000);
  proto::ConnectRequest req;
  ASSERT_TRUE(proto::decode(body_of(out), req));
  EXPECT_EQ(req.timeout_ms, 30000);
  EXPECT_EQ(req.session_id, 0);
  EXPECT_EQ(req.passwd.size(), 16u);
}

TEST(WireTest, ReplyHeaderAndCreatePathAreReadAsViews) {
  std::string frame;
  proto::JuteWriter w(frame);
  w.i32(5);
  w.i64(0x100000002);
  w.i32(-110);
  w.string("/seq/n-0000000001");
  ReplyView v;
  ASSERT_TRUE(parse_reply(frame, v));
  EXPECT_EQ(v.xid, 5);
  EXPECT_EQ(v.zxid, 0x100000002);
  EXPECT_EQ(v.err, -110);
  EXPECT_EQ(create_response_path(v.body), "/seq/n-0000000001");
  EXPECT_FALSE(parse_reply(std::string_view(frame).substr(0, 10), v));
}

TEST(WireTest, ServerListDefaultsThePortAndRejectsBadOnes) {
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
