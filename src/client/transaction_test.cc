#include "client/transaction.h"

#include <gtest/gtest.h>

#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::client {
namespace {

TEST(Transaction, EncodesOpsWithChrootAndEndMarker) {
  Transaction t;
  t.create("/a", "x", {.mode = CreateMode::kEphemeral})
      .create("/c", "", {.mode = CreateMode::kContainer})
      .create("/t", "", {.mode = CreateMode::kPersistentWithTtl, .ttl_ms = 5})
      .set_data("/a", "y", 3)
      .check("/a", 4)
      .remove("/a", 5);
  std::string body = t.encode("/root");
  proto::JuteReader r(body);
  proto::MultiHeader h;
  read(r, h);
  EXPECT_EQ(h.type, static_cast<int32_t>(OpCode::kCreate));
  proto::CreateRequest c;
  read(r, c);
  EXPECT_EQ(c.path, "/root/a");
  EXPECT_EQ(c.flags, 1);
  read(r, h);
  EXPECT_EQ(h.type, static_cast<int32_t>(OpCode::kCreateContainer));
  read(r, c);
  read(r, h);
  EXPECT_EQ(h.type, static_cast<int32_t>(OpCode::kCreateTTL));
  proto::CreateTtlRequest ttl;
  read(r, ttl);
  EXPECT_EQ(ttl.ttl, 5);
  read(r, h);
  proto::SetDataRequest s;
  read(r, s);
  EXPECT_EQ(s.version, 3);
  read(r, h);
  proto::CheckVersionRequest cv;
  read(r, cv);
  EXPECT_EQ(cv.version, 4);
  read(r, h);
  proto::DeleteRequest d;
  read(r, d);
  EXPECT_EQ(d.path, "/root/a");
  read(r, h);
  EXPECT_EQ(h, proto::multi_end_marker());
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(Transaction, ValidateNamesTheBadPath) {
  Transaction t;
  t.create("/ok", "").create("/seq/", "", {.mode = CreateMode::kPersistentSequential}).remove("nope");
  std::string bad;
  EXPECT_EQ(t.validate(&bad), Err::kBadArguments);
  EXPECT_EQ(bad, "nope");
}

TEST(Transaction, DecodesAFailedMulti) {
  std::string body;
  proto::JuteWriter w(body);
  write(w, proto::MultiHeader{-1, false, 0});
  write(w, proto::ErrorResponse{0});
  write(w, proto::MultiHeader{-1, false, -101});
  write(w, proto::ErrorResponse{-101});
  write(w, proto::MultiHeader{-1, false, -2});
  write(w, proto::ErrorResponse{-2});
  write(w, proto::multi_end_marker());
  std::vector<OpResult> out;
  Err first;
  size_t index;
  ASSERT_TRUE(decode_multi_reply(body, "", out, &first, &index));
  EXPECT_EQ(first, Err::kNoNode);
  EXPECT_EQ(index, 1u);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].err, Err::kRuntimeInconsistency);
}

TEST(Transaction, DecodesResultsAndStripsChroot) {
  std::string body;
  proto::JuteWriter w(body);
  write(w, proto::MultiHeader{static_cast<int32_t>(OpCode::kCreate), false, 0});
  write(w, proto::CreateResponse{"/root/a"});
  write(w, proto::MultiHeader{static_cast<int32_t>(OpCode::kCreateContainer), false, 0});
  proto::Stat st;
  st.version = 9;
  write(w, proto::Create2Response{"/root/c", st});
  write(w, proto::MultiHeader{static_cast<int32_t>(OpCode::kSetData), false, 0});
  write(w, proto::SetDataResponse{st});
  write(w, proto::multi_end_marker());
  std::vector<OpResult> out;
  Err first;
  size_t index;
  ASSERT_TRUE(decode_multi_reply(body, "/root", out, &first, &index));
  EXPECT_EQ(first, Err::kOk);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].path, "/a");
  EXPECT_EQ(out[1].path, "/c");
  EXPECT_EQ(out[1].stat.version, 9);
  EXPECT_EQ(out[2].stat.version, 9);
  // Truncated: malformed.
  EXPECT_FALSE(decode_multi_reply(body.substr(0, body.size() - 3), "", out, &first, &index));
}

TEST(MultiRead, EncodesAndDecodes) {
  MultiRead m;
  m.get_data("/a").get_children("/b");
  std::string req = m.encode("/r");
  proto::JuteReader r(req);
  proto::MultiHeader h;
  read(r, h);
  EXPECT_EQ(h.type, static_cast<int32_t>(OpCode::kGetData));
  proto::GetDataRequest g;
  read(r, g);
  EXPECT_EQ(g.path, "/r/a");

  std::string body;
  proto::JuteWriter w(body);
  write(w, proto::MultiHeader{static_cast<int32_t>(OpCode::kGetData), false, 0});
  write(w, proto::GetDataResponse{std::nullopt, {}});
  write(w, proto::MultiHeader{static_cast<int32_t>(OpCode::kGetChildren), false, 0});
  write(w, proto::GetChildrenResponse{{"x", "y"}});
  write(w, proto::MultiHeader{-1, false, -101});
  write(w, proto::ErrorResponse{-101});
  write(w, proto::multi_end_marker());
  std::vector<ReadResult> out;
  ASSERT_TRUE(decode_multi_read_reply(body, out));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].data, std::nullopt);
  EXPECT_EQ(out[1].children, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(out[2].err, Err::kNoNode);
}

}  // namespace
}  // namespace paddock::client
