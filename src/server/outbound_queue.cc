#include "server/outbound_queue.h"

#include "util/assert.h"

namespace paddock::server {

std::string ChunkPool::take() {
  if (chunks_.empty()) {
    std::string chunk;
    chunk.reserve(kChunkBytes);
    return chunk;
  }
  std::string chunk = std::move(chunks_.back());
  chunks_.pop_back();
  return chunk;
}

void ChunkPool::give(std::string&& chunk) {
  // Keep only chunk-sized buffers: a large reply's own buffer is not worth pinning.
  if (chunks_.size() >= kMaxPooled || chunk.capacity() < kChunkBytes ||
      chunk.capacity() > 2 * kChunkBytes) {
    return;
  }
  chunk.clear();
  chunks_.push_back(std::move(chunk));
}

void OutboundQueue::push(std::string&& bytes, ChunkPool& pool) {
  size_t n = bytes.size();
  if (n == 0) return;
  queued_bytes_ += n;
  if (n >= kCopyBelow || queued_.empty()) {
    // Nothing to coalesce with (or too big to copy): keep the caller's buffer.
    queued_.push_back(std::move(bytes));
    last_is_shared_ = false;
    return;
  }
  if (!last_is_shared_ || queued_.back().size() + n > ChunkPool::kChunkBytes) {
    queued_.push_back(pool.take());
    last_is_shared_ = true;
  }
  queued_.back().append(bytes);
}

void OutboundQueue::push_copy(std::string_view bytes, ChunkPool& pool) {
  const size_t n = bytes.size();
  if (n == 0) return;
  if (n >= kCopyBelow || queued_.empty()) {
    push(std::string(bytes), pool);
    return;
  }
  queued_bytes_ += n;
  if (!last_is_shared_ || queued_.back().size() + n > ChunkPool::kChunkBytes) {
    queued_.push_back(pool.take());
    last_is_shared_ = true;
  }
  queued_.back().append(bytes);
}

const std::vector<asio::const_buffer>& OutboundQueue::start_write() {
  PADDOCK_ASSERT(in_flight_.empty() && !queued_.empty());
  in_flight_.swap(queued_);
  in_flight_bytes_ = queued_bytes_;
  queued_bytes_ = 0;
  last_is_shared_ = false;
  buffers_.clear();
  for (const std::string& chunk : in_flight_) buffers_.emplace_back(chunk.data(), chunk.size());
  return buffers_;
}

void OutboundQueue::finish_write(ChunkPool& pool) {
  for (std::string& chunk : in_flight_) pool.give(std::move(chunk));
  in_flight_.clear();
  in_flight_bytes_ = 0;
}

void OutboundQueue::clear(ChunkPool& pool) {
  finish_write(pool);
  for (std::string& chunk : queued_) pool.give(std::move(chunk));
  queued_.clear();
  queued_bytes_ = 0;
  last_is_shared_ = false;
}

}  // namespace paddock::server
