#include "server/outbound_queue.h"

#include <gtest/gtest.h>

namespace paddock::server {
namespace {

std::string concat(const std::vector<asio::const_buffer>& buffers) {
  std::string out;
  for (const auto& b : buffers) out.append(static_cast<const char*>(b.data()), b.size());
  return out;
}

TEST(OutboundQueueTest, SmallFramesAreCoalescedIntoFewBuffersInOrder) {
  ChunkPool pool;
  OutboundQueue q;
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    std::string f = "reply-" + std::to_string(i);
    expected += f;
    q.push(std::move(f), pool);
  }
  EXPECT_EQ(q.bytes(), expected.size());
  const auto& buffers = q.start_write();
  EXPECT_LE(buffers.size(), 2u);  // the first frame as it came, the rest in one chunk
  EXPECT_EQ(concat(buffers), expected);
  EXPECT_TRUE(q.writing());
  EXPECT_FALSE(q.has_queued());
}

TEST(OutboundQueueTest, LargeFramesKeepTheirOwnBufferWithoutCopy) {
  ChunkPool pool;
  OutboundQueue q;
  q.push("small", pool);
  std::string big(100000, 'b');
  const char* big_data = big.data();
  q.push(std::move(big), pool);
  q.push("tail", pool);
  const auto& buffers = q.start_write();
  ASSERT_EQ(buffers.size(), 3u);
  EXPECT_EQ(buffers[1].data(), static_cast<const void*>(big_data));
  EXPECT_EQ(concat(buffers), "small" + std::string(100000, 'b') + "tail");
}

TEST(OutboundQueueTest, BytesQueuedDuringAWriteGoInTheNextOneAndChunksAreRecycled) {
  ChunkPool pool;
  OutboundQueue q;
  q.push("a", pool);
  q.push("b", pool);  // takes a pool chunk
  q.start_write();
  q.push("c", pool);
  EXPECT_EQ(q.bytes(), 3u);
  q.finish_write(pool);
  EXPECT_EQ(pool.pooled(), 1u);
  EXPECT_EQ(q.bytes(), 1u);
  EXPECT_EQ(concat(q.start_write()), "c");
  q.finish_write(pool);
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_FALSE(q.writing());
}

TEST(OutboundQueueTest, ChunksNeverExceedChunkSize) {
  ChunkPool pool;
  OutboundQueue q;
  q.push("first", pool);
  for (int i = 0; i < 100; ++i) q.push(std::string(4000, 'x'), pool);
  const auto& buffers = q.start_write();
  for (const auto& b : buffers) EXPECT_LE(b.size(), ChunkPool::kChunkBytes);
  EXPECT_EQ(q.bytes(), 5u + 400000u);
}

}  // namespace
}  // namespace paddock::server
