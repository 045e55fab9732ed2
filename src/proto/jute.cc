#include "proto/jute.h"

namespace paddock::proto {

void JuteWriter::i32(int32_t v) {
  auto u = static_cast<uint32_t>(v);
  char b[4] = {static_cast<char>(u >> 24), static_cast<char>(u >> 16), static_cast<char>(u >> 8),
               static_cast<char>(u)};
  out_.append(b, sizeof b);
}

void JuteWriter::i64(int64_t v) {
  auto u = static_cast<uint64_t>(v);
  i32(static_cast<int32_t>(static_cast<uint32_t>(u >> 32)));
  i32(static_cast<int32_t>(static_cast<uint32_t>(u)));
}

void JuteWriter::boolean(bool v) { out_.push_back(v ? 1 : 0); }

void JuteWriter::buffer(std::string_view bytes) {
  i32(static_cast<int32_t>(bytes.size()));
  raw(bytes);
}

void JuteWriter::null_buffer() { i32(-1); }

bool JuteReader::need(size_t n) {
  if (!ok_) return false;
  if (remaining() < n) {
    fail("truncated");
    return false;
  }
  return true;
}

int32_t JuteReader::i32() {
  if (!need(4)) return 0;
  uint32_t u = 0;
  for (int i = 0; i < 4; ++i) u = (u << 8) | static_cast<uint8_t>(in_[pos_ + i]);
  pos_ += 4;
  return static_cast<int32_t>(u);
}

int64_t JuteReader::i64() {
  if (!need(8)) return 0;
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(in_[pos_ + i]);
  pos_ += 8;
  return static_cast<int64_t>(u);
}

bool JuteReader::boolean() {
  if (!need(1)) return false;
  return in_[pos_++] != 0;
}

std::string_view JuteReader::raw(size_t n) {
  if (!need(n)) return {};
  std::string_view out = in_.substr(pos_, n);
  pos_ += n;
  return out;
}

std::optional<size_t> JuteReader::buffer_length(bool* is_null) {
  *is_null = false;
  size_t start = pos_;
  int32_t len = i32();
  if (!ok_) return std::nullopt;
  if (len == -1) {
    *is_null = true;
    return std::nullopt;
  }
  const char* why = nullptr;
  if (len < 0) {
    why = "negative length";
  } else if (static_cast<size_t>(len) > max_buffer_) {
    why = "length above jute.maxbuffer";
  } else if (static_cast<size_t>(len) > remaining()) {
    why = "truncated";
  }
  if (why != nullptr) {
    pos_ = start;
    fail(why);
    return std::nullopt;
  }
  return static_cast<size_t>(len);
}

std::optional<std::string> JuteReader::nullable_buffer() {
  bool is_null = false;
  std::optional<size_t> len = buffer_length(&is_null);
  if (!len) return std::nullopt;
  std::string_view bytes = raw(*len);
  return std::string(bytes);
}

std::string JuteReader::buffer() {
  std::optional<std::string> b = nullable_buffer();
  return b ? std::move(*b) : std::string();
}

int32_t JuteReader::vector_size(size_t min_item_bytes) {
  size_t start = pos_;
  int32_t n = i32();
  if (!ok_ || n == -1) return 0;
  if (n < 0) {
    pos_ = start;
    fail("negative vector count");
    return 0;
  }
  // Even zero-byte items are bounded by the input size, so a count never exceeds it.
  size_t per_item = min_item_bytes == 0 ? 1 : min_item_bytes;
  if (static_cast<size_t>(n) > remaining() / per_item) {
    pos_ = start;
    fail("vector count exceeds remaining bytes");
    return 0;
  }
  return n;
}

}  // namespace paddock::proto
