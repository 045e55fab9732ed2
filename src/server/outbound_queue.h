#pragma once
// The bytes waiting to go out on one connection, shaped for gathered writes: a batch of
// small replies is copied into a few shared chunks (one writev carries hundreds of replies),
// a large reply keeps its own buffer (no copy). Chunks come from a per-thread pool so a busy
// connection does not allocate per batch.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <asio/buffer.hpp>

namespace paddock::server {

// Shared chunks for the connections of one network thread. Not thread-safe: one per thread.
class ChunkPool {
 public:
  static constexpr size_t kChunkBytes = 64 * 1024;
  static constexpr size_t kMaxPooled = 64;

  std::string take();
  void give(std::string&& chunk);
  size_t pooled() const { return chunks_.size(); }

 private:
  std::vector<std::string> chunks_;
};

class OutboundQueue {
 public:
  // Frames below this size are copied into a shared chunk when something is already queued.
  static constexpr size_t kCopyBelow = 4096;

  void push(std::string&& bytes, ChunkPool& pool);
  // Copies `bytes` in: into a shared chunk behind small queued frames, else a buffer of its
  // own (a lone frame does not pin a whole chunk: thousands of idle connections may each
  // hold one).
  void push_copy(std::string_view bytes, ChunkPool& pool);
  // Queued plus in flight: what the connection's outbound limit is checked against.
  size_t bytes() const { return queued_bytes_ + in_flight_bytes_; }
  bool has_queued() const { return !queued_.empty(); }
  bool writing() const { return !in_flight_.empty(); }
  // Moves everything queued into flight and returns its buffers for one gathered write.
  // Only when !writing() and has_queued().
  const std::vector<asio::const_buffer>& start_write();
  // The in-flight bytes were written; their chunks go back to the pool.
  void finish_write(ChunkPool& pool);
  // Drops everything (the connection closed); chunks go back to the pool.
  void clear(ChunkPool& pool);

 private:
  std::vector<std::string> queued_;
  bool last_is_shared_ = false;  // queued_.back() is a pool chunk that may take more bytes
  std::vector<std::string> in_flight_;
  std::vector<asio::const_buffer> buffers_;
  size_t queued_bytes_ = 0;
  size_t in_flight_bytes_ = 0;
};

}  // namespace paddock::server
