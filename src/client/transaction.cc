#include "client/transaction.h"

#include "client/connect_string.h"
#include "proto/jute.h"
#include "proto/path.h"

namespace paddock::client {

OpCode create_op_for(CreateMode mode, OpCode plain) {
  switch (mode) {
    case CreateMode::kContainer: return OpCode::kCreateContainer;
    case CreateMode::kPersistentWithTtl:
    case CreateMode::kPersistentSequentialWithTtl: return OpCode::kCreateTTL;
    default: return plain;
  }
}

bool is_sequential(CreateMode mode) {
  return mode == CreateMode::kPersistentSequential || mode == CreateMode::kEphemeralSequential ||
         mode == CreateMode::kPersistentSequentialWithTtl;
}

Transaction& Transaction::create(std::string path, NodeData data, CreateOptions opts) {
  ops_.push_back(Op{create_op_for(opts.mode, OpCode::kCreate), std::move(path), std::move(data),
                    std::move(opts), -1});
  return *this;
}
Transaction& Transaction::remove(std::string path, int32_t version) {
  ops_.push_back(Op{OpCode::kDelete, std::move(path), {}, {}, version});
  return *this;
}
Transaction& Transaction::set_data(std::string path, NodeData data, int32_t version) {
  ops_.push_back(Op{OpCode::kSetData, std::move(path), std::move(data), {}, version});
  return *this;
}
Transaction& Transaction::check(std::string path, int32_t version) {
  ops_.push_back(Op{OpCode::kCheck, std::move(path), {}, {}, version});
  return *this;
}

Err Transaction::validate(std::string* bad_path) const {
  for (const Op& op : ops_) {
    bool seq = (op.type == OpCode::kCreate || op.type == OpCode::kCreateTTL) &&
               is_sequential(op.create.mode);
    if (proto::validate_path(op.path, seq) != Err::kOk) {
      *bad_path = op.path;
      return Err::kBadArguments;
    }
  }
  return Err::kOk;
}

std::string Transaction::encode(std::string_view chroot) const {
  std::string out;
  proto::JuteWriter w(out);
  for (const Op& op : ops_) {
    write(w, proto::MultiHeader{static_cast<int32_t>(op.type), false, -1});
    std::string path = prepend_chroot(chroot, op.path);
    switch (op.type) {
      case OpCode::kCreate:
      case OpCode::kCreateContainer:
        write(w, proto::CreateRequest{path, op.data, op.create.acl,
                                      static_cast<int32_t>(op.create.mode)});
        break;
      case OpCode::kCreateTTL:
        write(w, proto::CreateTtlRequest{path, op.data, op.create.acl,
                                         static_cast<int32_t>(op.create.mode), op.create.ttl_ms});
        break;
      case OpCode::kDelete: write(w, proto::DeleteRequest{path, op.version}); break;
      case OpCode::kSetData: write(w, proto::SetDataRequest{path, op.data, op.version}); break;
      case OpCode::kCheck: write(w, proto::CheckVersionRequest{path, op.version}); break;
      default: break;
    }
  }
  write(w, proto::multi_end_marker());
  return out;
}

bool decode_multi_reply(std::string_view body, std::string_view chroot,
                        std::vector<OpResult>& out, Err* first_error, size_t* failed_index) {
  out.clear();
  *first_error = Err::kOk;
  *failed_index = 0;
  proto::JuteReader r(body);
  while (true) {
    proto::MultiHeader h;
    read(r, h);
    if (!r.ok()) return false;
    if (h.done) break;
    OpResult res;
    res.type = static_cast<OpCode>(h.type);
    switch (res.type) {
      case OpCode::kCreate: {
        proto::CreateResponse c;
        read(r, c);
        res.path = strip_chroot(chroot, c.path);
        break;
      }
      case OpCode::kCreate2:
      case OpCode::kCreateTTL:
      case OpCode::kCreateContainer: {
        proto::Create2Response c;
        read(r, c);
        res.path = strip_chroot(chroot, c.path);
        res.stat = c.stat;
        break;
      }
      case OpCode::kSetData: {
        proto::SetDataResponse s;
        read(r, s);
        res.stat = s.stat;
        break;
      }
      case OpCode::kDelete:
      case OpCode::kCheck: break;
      case OpCode::kError: {
        proto::ErrorResponse e;
        read(r, e);
        res.err = static_cast<Err>(e.err);
        if (res.err != Err::kOk && res.err != Err::kRuntimeInconsistency &&
            *first_error == Err::kOk) {
          *first_error = res.err;
          *failed_index = out.size();
        }
        break;
      }
      default: return false;
    }
    if (!r.ok()) return false;
    out.push_back(std::move(res));
  }
  return r.ok();
}

MultiRead& MultiRead::get_data(std::string path) {
  ops_.push_back(Op{OpCode::kGetData, std::move(path)});
  return *this;
}
MultiRead& MultiRead::get_children(std::string path) {
  ops_.push_back(Op{OpCode::kGetChildren, std::move(path)});
  return *this;
}

Err MultiRead::validate(std::string* bad_path) const {
  for (const Op& op : ops_) {
    if (proto::validate_path(op.path, false) != Err::kOk) {
      *bad_path = op.path;
      return Err::kBadArguments;
    }
  }
  return Err::kOk;
}

std::string MultiRead::encode(std::string_view chroot) const {
  std::string out;
  proto::JuteWriter w(out);
  for (const Op& op : ops_) {
    write(w, proto::MultiHeader{static_cast<int32_t>(op.type), false, -1});
    std::string path = prepend_chroot(chroot, op.path);
    if (op.type == OpCode::kGetData) {
      write(w, proto::GetDataRequest{path, false});
    } else {
      write(w, proto::GetChildrenRequest{path, false});
    }
  }
  write(w, proto::multi_end_marker());
  return out;
}

bool decode_multi_read_reply(std::string_view body, std::vector<ReadResult>& out) {
  out.clear();
  proto::JuteReader r(body);
  while (true) {
    proto::MultiHeader h;
    read(r, h);
    if (!r.ok()) return false;
    if (h.done) break;
    ReadResult res;
    res.type = static_cast<OpCode>(h.type);
    switch (res.type) {
      case OpCode::kGetData: {
        proto::GetDataResponse d;
        read(r, d);
        res.data = std::move(d.data);
        res.stat = d.stat;
        break;
      }
      case OpCode::kGetChildren: {
        proto::GetChildrenResponse c;
        read(r, c);
        res.children = std::move(c.children);
        break;
      }
      case OpCode::kError: {
        proto::ErrorResponse e;
        read(r, e);
        res.err = static_cast<Err>(e.err);
        break;
      }
      default: return false;
    }
    if (!r.ok()) return false;
    out.push_back(std::move(res));
  }
  return r.ok();
}

}  // namespace paddock::client
