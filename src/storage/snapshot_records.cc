#include "storage/snapshot_records.h"

#include <fmt/format.h>

#include "storage/log_format.h"
#include "util/crc32c.h"

namespace paddock::storage {
namespace {

// Bounds-checked little-endian reads over one block.
class Cursor {
 public:
  Cursor(std::string_view raw, size_t& pos) : raw_(raw), pos_(pos) {}
  bool ok() const { return ok_; }

  uint32_t u32() {
    if (!need(4)) return 0;
    const uint32_t v = get_u32(raw_.data() + pos_);
    pos_ += 4;
    return v;
  }
  int32_t i32() { return static_cast<int32_t>(u32()); }
  int64_t i64() {
    if (!need(8)) return 0;
    const uint64_t v = get_u64(raw_.data() + pos_);
    pos_ += 8;
    return static_cast<int64_t>(v);
  }
  std::optional<std::string_view> nullable_str() {
    if (!need(4)) return std::nullopt;
    if (get_u32(raw_.data() + pos_) == kNullDataLength) {
      pos_ += 4;
      return std::nullopt;
    }
    return str();
  }
  std::string_view str() {
    const uint32_t n = u32();
    if (!need(n)) return {};
    std::string_view s = raw_.substr(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  bool need(size_t n) {
    if (!ok_ || raw_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }

  std::string_view raw_;
  size_t& pos_;
  bool ok_ = true;
};

}  // namespace

Status SnapshotRecordParser::parse_block(std::string_view raw) {
  size_t pos = 0;
  while (pos < raw.size()) {
    const size_t start = pos;
    if (Status st = parse_record(raw, pos); !st) {
      return Status::error(
          fmt::format("record at raw offset {} of the block (stream offset {}): {}", start,
                      totals_.raw_bytes + start, st.message()));
    }
  }
  totals_.raw_bytes += raw.size();
  totals_.raw_crc = crc32c::extend(totals_.raw_crc, raw.data(), raw.size());
  return Status::ok();
}

Status SnapshotRecordParser::parse_record(std::string_view raw, size_t& pos) {
  const char type = raw[pos++];
  Cursor c(raw, pos);
  if (type == kSessionRecord) {
    const int64_t id = c.i64();
    const int32_t timeout = c.i32();
    if (!c.ok()) return Status::error("truncated session record");
    ++totals_.sessions;
    return visitor_ != nullptr ? visitor_->on_session(id, timeout) : Status::ok();
  }
  if (type == kAclRecord) {
    const uint32_t id = c.u32();
    const uint32_t count = c.u32();
    if (!c.ok()) return Status::error("truncated ACL record");
    // Each entry takes at least 12 bytes: refuse counts that cannot fit before allocating.
    if (count > (raw.size() - pos) / 12) return Status::error("ACL count exceeds the block");
    proto::AclList acl(count);
    for (proto::Acl& a : acl) {
      a.perms = c.i32();
      a.id.scheme = std::string(c.str());
      a.id.id = std::string(c.str());
    }
    if (!c.ok()) return Status::error("truncated ACL record");
    if (id == 0) return Status::error("ACL record with id 0");
    if (!acl_ids_.insert(id).second)
      return Status::error(fmt::format("ACL id {} defined twice", id));
    ++totals_.acls;
    return visitor_ != nullptr ? visitor_->on_acl(id, acl) : Status::ok();
  }
  if (type == kNodeRecord) {
    SnapshotNode n;
    n.path = c.str();
    n.data = c.nullable_str();
    n.acl_id = c.u32();
    proto::StatPersisted& s = n.stat;
    s.czxid = c.i64();
    s.mzxid = c.i64();
    s.ctime = c.i64();
    s.mtime = c.i64();
    s.version = c.i32();
    s.cversion = c.i32();
    s.aversion = c.i32();
    s.ephemeral_owner = c.i64();
    s.pzxid = c.i64();
    if (!c.ok()) return Status::error("truncated node record");
    if (n.acl_id != 0 && !acl_ids_.contains(n.acl_id)) {
      return Status::error(
          fmt::format("node {} uses ACL id {} before it is defined", n.path, n.acl_id));
    }
    ++totals_.nodes;
    return visitor_ != nullptr ? visitor_->on_node(n) : Status::ok();
  }
  return Status::error(fmt::format("unknown record type 0x{:02x}", static_cast<uint8_t>(type)));
}

}  // namespace paddock::storage
