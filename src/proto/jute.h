#pragma once
// The jute codec: ZooKeeper's binary record encoding (big-endian ints and longs, 1-byte bools,
// int32-length-prefixed buffers/strings and vectors, -1 = null). JuteWriter appends to a
// string; JuteReader reads from bytes it does not own and never trusts a length: every
// length is checked against the bytes that remain and against a maximum, and the first
// failure makes the reader fail for good (ok() == false) and return zero values from then on,
// so decoders can read a whole record and check ok() once at the end.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace paddock::proto {

// jute.maxbuffer: the largest buffer/string a reader accepts by default.
constexpr size_t kDefaultMaxBuffer = 0xfffff;

class JuteWriter {
 public:
  explicit JuteWriter(std::string& out) : out_(out) {}

  void i32(int32_t v);
  void i64(int64_t v);
  void boolean(bool v);
  void buffer(std::string_view bytes);  // int32 length + bytes
  void null_buffer();                   // length -1
  // A buffer that may be null (nullopt is written as length -1), as ZooKeeper's byte[] fields.
  void nullable_buffer(const std::optional<std::string>& bytes) {
    if (bytes) {
      buffer(*bytes);
    } else {
      null_buffer();
    }
  }
  void string(std::string_view s) { buffer(s); }
  void raw(std::string_view bytes) { out_.append(bytes.data(), bytes.size()); }

  // Writes the count, then each item with write_item(writer, item) or write_item(item).
  template <typename T, typename F>
  void vector(const std::vector<T>& items, F&& write_item) {
    i32(static_cast<int32_t>(items.size()));
    for (const T& item : items) {
      if constexpr (std::is_invocable_v<F&, JuteWriter&, const T&>) {
        write_item(*this, item);
      } else {
        write_item(item);
      }
    }
  }
  void null_vector() { i32(-1); }

  // Bytes written so far to the underlying string (including what was there before).
  size_t size() const { return out_.size(); }

 private:
  std::string& out_;
};

class JuteReader {
 public:
  explicit JuteReader(std::string_view in, size_t max_buffer = kDefaultMaxBuffer)
      : in_(in), max_buffer_(max_buffer) {}
  explicit JuteReader(const char* in, size_t max_buffer = kDefaultMaxBuffer)
      : JuteReader(std::string_view(in), max_buffer) {}
  // The reader borrows its input: reading from a temporary string would dangle.
  JuteReader(std::string&&, size_t = kDefaultMaxBuffer) = delete;

  int32_t i32();
  int64_t i64();
  bool boolean();        // any nonzero byte is true, as Java's readBoolean
  std::string buffer();  // a null buffer reads as empty
  std::optional<std::string> nullable_buffer();
  std::string string() { return buffer(); }
  // Reads `n` bytes with no length prefix (fails if fewer remain).
  std::string_view raw(size_t n);

  // Reads a vector count: -1 (null) reads as 0; a negative count other than -1, or a count
  // whose items (at least `min_item_bytes` each) cannot fit in the remaining bytes, fails
  // the reader and reads as 0. So a hostile count never makes a caller allocate.
  int32_t vector_size(size_t min_item_bytes = 1);
  // Reads a whole vector: count, then read_item(reader, item) or read_item(item) for each.
  // Stops early (leaving `out` partly filled) once the reader fails.
  template <typename T, typename F>
  void vector(std::vector<T>& out, F&& read_item, size_t min_item_bytes = 1) {
    out.clear();
    int32_t n = vector_size(min_item_bytes);
    // Reserve a bounded amount: n fits the input, but n * sizeof(T) may still be large.
    out.reserve(static_cast<size_t>(n) < kMaxReserve ? static_cast<size_t>(n) : kMaxReserve);
    for (int32_t i = 0; i < n && ok_; ++i) {
      out.emplace_back();
      if constexpr (std::is_invocable_v<F&, JuteReader&, T&>) {
        read_item(*this, out.back());
      } else {
        read_item(out.back());
      }
    }
  }

  bool ok() const { return ok_; }
  // Marks the input malformed (sticky); `why` (a string literal) is kept for messages.
  void fail(const char* why = "malformed") {
    if (ok_) {
      failure_ = why;
      failure_offset_ = pos_;
    }
    ok_ = false;
    pos_ = in_.size();
  }
  // Why the reader failed ("truncated", "negative length", ...), or nullptr while ok();
  // failure_offset() is where the failing read started.
  const char* failure() const { return ok_ ? nullptr : failure_; }
  size_t failure_offset() const { return failure_offset_; }
  size_t remaining() const { return in_.size() - pos_; }
  bool at_end() const { return pos_ == in_.size(); }
  std::string_view rest() const { return in_.substr(pos_); }
  size_t position() const { return pos_; }
  size_t max_buffer() const { return max_buffer_; }

 private:
  // Checks that n bytes remain; fails the reader otherwise.
  bool need(size_t n);
  // Reads a buffer length: -1 -> nullopt; bad lengths fail the reader (and read as 0).
  std::optional<size_t> buffer_length(bool* is_null);

  static constexpr size_t kMaxReserve = 1024;

  std::string_view in_;
  size_t pos_ = 0;
  size_t max_buffer_;
  bool ok_ = true;
  const char* failure_ = nullptr;
  size_t failure_offset_ = 0;
};

// Every record type T (in proto/types.h, proto/records.h and proto/txn.h) has free functions
//   void write(JuteWriter&, const T&);   void read(JuteReader&, T&);
// found by argument-dependent lookup.
template <typename T>
std::string encode(const T& record) {
  std::string out;
  JuteWriter w(out);
  write(w, record);
  return out;
}

// Decodes `record` from the start of `bytes`; false if malformed or truncated. Trailing bytes
// are allowed (ZooKeeper readers ignore them too).
template <typename T>
bool decode(std::string_view bytes, T& record) {
  JuteReader r(bytes);
  read(r, record);
  return r.ok();
}

}  // namespace paddock::proto
