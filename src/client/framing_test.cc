#include "client/framing.h"

#include <gtest/gtest.h>

namespace paddock::client {
namespace {

TEST(FramingTest, RequestFrameIsLengthHeaderAndRecord) {
  std::string out = "prefix";  // frames append after what is there
  append_request(out, 7, proto::OpCode::kGetData, proto::GetDataRequest{"/a/b", true});
  std::string_view frame = std::string_view(out).substr(6);
  ASSERT_EQ(frame_length(frame), frame.size() - 4);
  proto::JuteReader r(frame.substr(4));
  proto::RequestHeader h;
  read(r, h);
  proto::GetDataRequest req;
  read(r, req);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(h, (proto::RequestHeader{7, static_cast<int32_t>(proto::OpCode::kGetData)}));
  EXPECT_EQ(req, (proto::GetDataRequest{"/a/b", true}));
}

TEST(FramingTest, EncodedBodyFramesLikeTheRecord) {
  proto::SetDataRequest req{"/k", std::string("v"), 3};
  std::string from_record, from_bytes;
  append_request(from_record, 9, proto::OpCode::kSetData, req);
  append_encoded_request(from_bytes, 9, proto::OpCode::kSetData, proto::encode(req));
  EXPECT_EQ(from_record, from_bytes);
}

TEST(FramingTest, ConnectFrameHasNoHeader) {
  proto::ConnectRequest req{0, 5, 30000, 0, std::string(16, '\0'), false};
  std::string out;
  append_connect(out, req);
  proto::ConnectRequest back;
  ASSERT_TRUE(proto::decode(std::string_view(out).substr(4), back));
  EXPECT_EQ(back, req);
  EXPECT_EQ(frame_length(out), out.size() - 4);
}

TEST(FramingTest, FrameLengthNeedsFourBytes) {
  EXPECT_FALSE(frame_length(std::string_view("\0\0\0", 3)));
  EXPECT_EQ(frame_length(std::string_view("\x01\x02\x03\x04", 4)), 0x01020304u);
}

TEST(FramingTest, ReplyHeaderIsReadAndTheBodyLeftAsAView) {
  std::string frame;
  proto::JuteWriter w(frame);
  write(w, proto::ReplyHeader{5, 0x100000002, -110});
  w.string("/seq/n-0000000001");
  ReplyView v;
  ASSERT_TRUE(parse_reply(frame, v));
  EXPECT_EQ(v.header, (proto::ReplyHeader{5, 0x100000002, -110}));
  proto::CreateResponse created;
  ASSERT_TRUE(proto::decode(v.body, created));
  EXPECT_EQ(created.path, "/seq/n-0000000001");
  EXPECT_EQ(v.body.data(), frame.data() + 16);  // not copied
  EXPECT_FALSE(parse_reply(std::string_view(frame).substr(0, 10), v));
}

}  // namespace
}  // namespace paddock::client
