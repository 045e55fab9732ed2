#pragma once
// Builders for multi (a transaction of create/delete/setData/check, all or nothing) and
// multiRead (getData/getChildren answered together), with their request encoding and reply
// decoding in proto/'s records. Paths are client paths; the chroot is applied by encode()
// and removed by the decoders.
#include <string>
#include <string_view>
#include <vector>

#include "client/types.h"

namespace paddock::client {

class Transaction {
 public:
  Transaction& create(std::string path, NodeData data, CreateOptions opts = {});
  Transaction& remove(std::string path, int32_t version = -1);
  Transaction& set_data(std::string path, NodeData data, int32_t version = -1);
  Transaction& check(std::string path, int32_t version);

  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  // kOk, or kBadArguments with the first invalid path in *bad_path.
  Err validate(std::string* bad_path) const;
  // The multi request body (op 14), paths under `chroot`.
  std::string encode(std::string_view chroot) const;
  // The path of op i (client path), for errors.
  const std::string& path(size_t i) const { return ops_[i].path; }

 private:
  struct Op {
    OpCode type;
    std::string path;
    NodeData data;
    CreateOptions create;
    int32_t version = -1;
  };
  std::vector<Op> ops_;
};

// Decodes a multi reply body. Returns false if malformed. On success *first_error is kOk
// or the code of the op that failed (the other results then carry 0 before it and
// kRuntimeInconsistency after it) and *failed_index its index.
bool decode_multi_reply(std::string_view body, std::string_view chroot,
                        std::vector<OpResult>& out, Err* first_error, size_t* failed_index);

class MultiRead {
 public:
  MultiRead& get_data(std::string path);
  MultiRead& get_children(std::string path);

  size_t size() const { return ops_.size(); }
  Err validate(std::string* bad_path) const;
  std::string encode(std::string_view chroot) const;

 private:
  struct Op {
    OpCode type;
    std::string path;
  };
  std::vector<Op> ops_;
};

// Decodes a multiRead reply body; false if malformed.
bool decode_multi_read_reply(std::string_view body, std::vector<ReadResult>& out);

// The op code a create of this mode is sent with: createContainer, createTTL or `plain`.
OpCode create_op_for(CreateMode mode, OpCode plain);
bool is_sequential(CreateMode mode);

}  // namespace paddock::client
