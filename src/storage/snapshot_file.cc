#include "storage/snapshot_file.h"

#include <fmt/format.h>
#include <zstd.h>

#include <algorithm>
#include <unordered_set>

#include "storage/log_format.h"
#include "storage/snapshot_records.h"
#include "util/crc32c.h"

namespace paddock::storage {

// --- writing -----------------------------------------------------------------------------

SnapshotFileWriter::SnapshotFileWriter(Env& env, SnapshotWriteOptions options)
    : env_(env), options_(std::move(options)) {}

SnapshotFileWriter::~SnapshotFileWriter() {
  if (!done_) abandon();
  if (cctx_ != nullptr) ZSTD_freeCCtx(cctx_);
}

Result<std::unique_ptr<SnapshotFileWriter>> SnapshotFileWriter::create(
    Env& env, SnapshotWriteOptions options) {
  if (!env.file_exists(options.dir)) {
    if (Status st = env.create_dirs(options.dir); !st) return st;
    if (Status st = env.sync_dir(parent_dir(options.dir)); !st) return st;
  }
  std::unique_ptr<SnapshotFileWriter> w(new SnapshotFileWriter(env, std::move(options)));
  const int64_t zxid = w->options_.header.zxid;
  w->temp_path_ = join_path(w->options_.dir, snapshot_temp_name(zxid));
  w->final_path_ = join_path(w->options_.dir, snapshot_file_name(zxid));
  if (w->options_.header.compression == SnapshotCompression::kZstd) {
    w->cctx_ = ZSTD_createCCtx();
    if (w->cctx_ == nullptr) return Status::error("zstd: cannot create a compression context");
  }
  auto file = env.open_writable(w->temp_path_, OpenMode::kCreateOrTruncate);
  if (!file) return file.status();
  w->file_ = std::move(*file);
  const std::string header = encode_snapshot_header(w->options_.header);
  if (Status st = w->file_->append(header); !st) return st;
  w->offset_ = header.size();
  return w;
}

Status SnapshotFileWriter::add(const SnapshotChunk& chunk) {
  if (chunk.empty()) return Status::ok();
  if (chunk.bytes.size() > kMaxSnapshotBlockBytes) {
    return Status::error(fmt::format("snapshot block of {} bytes exceeds the limit {}",
                                     chunk.bytes.size(), kMaxSnapshotBlockBytes));
  }
  std::string_view stored = chunk.bytes;
  if (cctx_ != nullptr) {
    stored_.resize(ZSTD_compressBound(chunk.bytes.size()));
    const size_t n = ZSTD_compressCCtx(cctx_, stored_.data(), stored_.size(), chunk.bytes.data(),
                                       chunk.bytes.size(), options_.compression_level);
    if (ZSTD_isError(n)) {
      return Status::error(fmt::format("zstd compression failed: {}", ZSTD_getErrorName(n)));
    }
    stored = std::string_view(stored_.data(), n);
  }
  SnapshotBlockHeader block;
  block.stored_len = static_cast<uint32_t>(stored.size());
  block.raw_len = static_cast<uint32_t>(chunk.bytes.size());
  block.crc = crc32c::value(stored);
  std::string out = encode_block_header(block);
  out.append(stored);
  if (Status st = file_->append(out); !st) return st;
  offset_ += out.size();
  trailer_.sessions += chunk.sessions;
  trailer_.acls += chunk.acls;
  trailer_.nodes += chunk.nodes;
  trailer_.raw_bytes += chunk.bytes.size();
  trailer_.raw_crc = crc32c::extend(trailer_.raw_crc, chunk.bytes.data(), chunk.bytes.size());
  return Status::ok();
}

Result<std::string> SnapshotFileWriter::finish(int64_t end_zxid, int64_t end_digest) {
  trailer_.end_zxid = end_zxid;
  trailer_.end_digest = end_digest;
  std::string out = encode_block_header(SnapshotBlockHeader{});
  out += encode_snapshot_trailer(trailer_);
  if (Status st = file_->append(out); !st) return st;
  offset_ += out.size();
  if (Status st = file_->sync(); !st) return st;
  if (Status st = file_->close(); !st) return st;
  file_.reset();
  if (Status st = env_.rename(temp_path_, final_path_); !st) return st;
  if (Status st = env_.sync_dir(options_.dir); !st) return st;
  done_ = true;
  return final_path_;
}

void SnapshotFileWriter::abandon() {
  done_ = true;
  if (file_ != nullptr) {
    (void)file_->close();
    file_.reset();
  }
  if (env_.file_exists(temp_path_)) (void)env_.remove(temp_path_);
}

// --- listing -----------------------------------------------------------------------------

Result<std::vector<SnapshotFile>> list_snapshots(Env& env, const std::string& dir) {
  std::vector<SnapshotFile> out;
  if (!env.file_exists(dir)) return out;
  auto names = env.list_dir(dir);
  if (!names) return names.status();
  for (const std::string& name : *names) {
    if (auto zxid = parse_snapshot_file_name(name)) {
      out.push_back(SnapshotFile{join_path(dir, name), *zxid});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const SnapshotFile& a, const SnapshotFile& b) { return a.zxid < b.zxid; });
  return out;
}

Result<std::vector<std::string>> list_snapshot_temp_files(Env& env, const std::string& dir) {
  std::vector<std::string> out;
  if (!env.file_exists(dir)) return out;
  auto names = env.list_dir(dir);
  if (!names) return names.status();
  for (const std::string& name : *names) {
    constexpr std::string_view kTmp = ".tmp";
    if (name.size() > kTmp.size() && name.ends_with(kTmp) &&
        parse_snapshot_file_name(std::string_view(name).substr(0, name.size() - kTmp.size()))) {
      out.push_back(join_path(dir, name));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// --- reading -----------------------------------------------------------------------------

namespace {

Status damaged(const std::string& path, uint64_t offset, const std::string& what) {
  return Status::error(fmt::format("snapshot damaged: file={} offset={}: {}", path, offset, what));
}

// Header checks shared by the full read and the peek.
Result<SnapshotHeader> read_header(RandomAccessFile& file, const std::string& path) {
  std::string bytes;
  if (Status st = file.read(0, kSnapshotHeaderSize, &bytes); !st) return st;
  auto header = decode_snapshot_header(bytes);
  if (!header) return damaged(path, 0, header.error());
  const std::string name = path.substr(path.find_last_of('/') + 1);
  if (auto zxid = parse_snapshot_file_name(name); zxid && *zxid != header->zxid) {
    return damaged(path, 0,
                   fmt::format("header zxid 0x{:x} does not match the name", header->zxid));
  }
  return header;
}

class BlockReader {
 public:
  BlockReader(RandomAccessFile& file, const std::string& path, uint64_t size,
              SnapshotCompression compression)
      : file_(file), path_(path), size_(size), compression_(compression) {}
  ~BlockReader() {
    if (dctx_ != nullptr) ZSTD_freeDCtx(dctx_);
  }

  // Reads the block at `offset`: its raw bytes into raw_ (empty at the end block).
  Result<SnapshotBlockHeader> next(uint64_t offset) {
    std::string head;
    if (Status st = file_.read(offset, kSnapshotBlockHeaderSize, &head); !st) return st;
    auto block = decode_block_header(head);
    if (!block) return damaged(path_, offset, block.error());
    if (block->stored_len == 0) {
      if (block->raw_len != 0 || block->crc != 0) return damaged(path_, offset, "bad end block");
      raw_.clear();
      return *block;
    }
    const uint64_t data_at = offset + kSnapshotBlockHeaderSize;
    if (data_at + block->stored_len + kSnapshotTrailerSize > size_) {
      return damaged(path_, offset,
                     fmt::format("block of {} bytes runs past the end of the file (size {})",
                                 block->stored_len, size_));
    }
    if (Status st = file_.read(data_at, block->stored_len, &stored_); !st) return st;
    const uint32_t crc = crc32c::value(stored_);
    if (crc != block->crc || stored_.size() != block->stored_len) {
      return damaged(path_, offset,
                     fmt::format("block checksum mismatch (stored 0x{:08x}, computed 0x{:08x})",
                                 block->crc, crc));
    }
    if (Status st = expand(*block, offset); !st) return st;
    return *block;
  }
  const std::string& raw() const { return raw_; }

 private:
  Status expand(const SnapshotBlockHeader& block, uint64_t offset) {
    if (compression_ == SnapshotCompression::kNone) {
      if (block.raw_len != block.stored_len) {
        return damaged(path_, offset, "uncompressed block with different raw length");
      }
      raw_ = std::move(stored_);
      stored_.clear();
      return Status::ok();
    }
    if (dctx_ == nullptr) dctx_ = ZSTD_createDCtx();
    if (dctx_ == nullptr) return Status::error("zstd: cannot create a decompression context");
    raw_.resize(block.raw_len);
    const size_t n =
        ZSTD_decompressDCtx(dctx_, raw_.data(), raw_.size(), stored_.data(), stored_.size());
    if (ZSTD_isError(n) || n != block.raw_len) {
      return damaged(path_, offset,
                     fmt::format("block does not decompress to {} bytes: {}", block.raw_len,
                                 ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong length"));
    }
    return Status::ok();
  }

  RandomAccessFile& file_;
  const std::string& path_;
  uint64_t size_;
  SnapshotCompression compression_;
  ZSTD_DCtx* dctx_ = nullptr;
  std::string stored_;
  std::string raw_;
};

Status check_trailer_totals(const SnapshotTrailer& stored, const SnapshotTrailer& seen) {
  if (stored.sessions != seen.sessions || stored.acls != seen.acls || stored.nodes != seen.nodes ||
      stored.raw_bytes != seen.raw_bytes) {
    return Status::error(fmt::format(
        "trailer counts (sessions={} acls={} nodes={} raw_bytes={}) differ from the blocks "
        "(sessions={} acls={} nodes={} raw_bytes={})",
        stored.sessions, stored.acls, stored.nodes, stored.raw_bytes, seen.sessions, seen.acls,
        seen.nodes, seen.raw_bytes));
  }
  if (stored.raw_crc != seen.raw_crc) {
    return Status::error(
        fmt::format("checksum of the record stream mismatch (stored 0x{:08x}, "
                    "computed 0x{:08x})",
                    stored.raw_crc, seen.raw_crc));
  }
  return Status::ok();
}

}  // namespace

Result<SnapshotInfo> read_snapshot(Env& env, const std::string& path, SnapshotVisitor* visitor) {
  auto file = env.open_readable(path);
  if (!file) return file.status();
  auto size = (*file)->size();
  if (!size) return size.status();
  SnapshotInfo info;
  info.file_size = *size;
  auto header = read_header(**file, path);
  if (!header) return header.status();
  info.header = *header;
  BlockReader blocks(**file, path, *size, header->compression);
  SnapshotRecordParser parser(visitor);
  uint64_t offset = kSnapshotHeaderSize;
  for (;;) {
    auto block = blocks.next(offset);
    if (!block) return block.status();
    if (block->stored_len == 0) break;
    if (Status st = parser.parse_block(blocks.raw()); !st) {
      return damaged(path, offset, st.message());
    }
    ++info.blocks;
    offset += kSnapshotBlockHeaderSize + block->stored_len;
  }
  offset += kSnapshotBlockHeaderSize;
  std::string tail;
  if (Status st = (*file)->read(offset, kSnapshotTrailerSize, &tail); !st) return st;
  auto trailer = decode_snapshot_trailer(tail);
  if (!trailer) return damaged(path, offset, trailer.error());
  if (Status st = check_trailer_totals(*trailer, parser.totals()); !st) {
    return damaged(path, offset, st.message());
  }
  if (offset + kSnapshotTrailerSize != *size) {
    return damaged(path, offset + kSnapshotTrailerSize,
                   fmt::format("{} unexpected bytes after the trailer",
                               *size - offset - kSnapshotTrailerSize));
  }
  info.trailer = *trailer;
  return info;
}

Result<SnapshotInfo> peek_snapshot(Env& env, const std::string& path) {
  auto file = env.open_readable(path);
  if (!file) return file.status();
  auto size = (*file)->size();
  if (!size) return size.status();
  SnapshotInfo info;
  info.file_size = *size;
  auto header = read_header(**file, path);
  if (!header) return header.status();
  info.header = *header;
  constexpr uint64_t kEnd = kSnapshotBlockHeaderSize + kSnapshotTrailerSize;
  if (*size < kSnapshotHeaderSize + kEnd) {
    return damaged(path, *size, "file too short to hold the end block and trailer");
  }
  std::string tail;
  if (Status st = (*file)->read(*size - kEnd, kEnd, &tail); !st) return st;
  auto end = decode_block_header(tail);
  if (!end || end->stored_len != 0) {
    return damaged(path, *size - kEnd, "no end block before the trailer");
  }
  auto trailer = decode_snapshot_trailer(std::string_view(tail).substr(kSnapshotBlockHeaderSize));
  if (!trailer) return damaged(path, *size - kSnapshotTrailerSize, trailer.error());
  info.trailer = *trailer;
  return info;
}

}  // namespace paddock::storage
