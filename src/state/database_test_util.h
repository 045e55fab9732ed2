#pragma once
// Test helpers for the Database tests: a Database over a real DataTree, requests encoded
// with the proto records, writes prepared and applied with increasing zxids.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "proto/records.h"
#include "proto/txn.h"
#include "state/database.h"

namespace paddock::state::testing {

inline const proto::AclList kOpen = {proto::Acl{proto::perm::kAll, proto::Id{"world", "anyone"}}};
inline constexpr int64_t kSession = 0x100000000000001;
inline constexpr WatcherId kWatcher = 7;

inline proto::AclList world(int32_t perms) {
  return {proto::Acl{perms, proto::Id{"world", "anyone"}}};
}

class DbTest : public ::testing::Test {
  // Public: table-driven tests call these from free functions.
 public:
  explicit DbTest(DatabaseOptions options = {}) : db_(std::move(options)) {}

  void SetUp() override { open_session(kSession); }

  void open_session(int64_t session_id, int32_t timeout_ms = 30000) {
    db_.apply(db_.prep_create_session(session_id, timeout_ms, ++zxid_, now_), nullptr);
  }

  Request request(proto::OpCode op, const std::string& body) {
    Request r;
    r.session_id = session_;
    r.xid = ++xid_;
    r.op = op;
    r.body = body;
    r.auth = &auth_;
    r.watcher = kWatcher;
    return r;
  }

  // Prepares a write (it stays pending).
  template <typename T>
  proto::Txn prep(proto::OpCode op, const T& record) {
    bodies_.push_back(proto::encode(record));
    return db_.prep(request(op, bodies_.back()), ++zxid_, now_);
  }
  proto::Txn prep_raw(proto::OpCode op, const std::string& body) {
    bodies_.push_back(body);
    return db_.prep(request(op, bodies_.back()), ++zxid_, now_);
  }
  Outcome apply(const proto::Txn& txn, proto::OpCode op) {
    Request origin = request(op, "");
    return db_.apply(txn, &origin);
  }
  // Prepares and applies at once; returns the reply.
  template <typename T>
  Outcome write(proto::OpCode op, const T& record) {
    return apply(prep(op, record), op);
  }
  Outcome write_raw(proto::OpCode op, const std::string& body) {
    return apply(prep_raw(op, body), op);
  }
  template <typename T>
  Outcome read(proto::OpCode op, const T& record) {
    std::string body = proto::encode(record);
    return db_.read(request(op, body));
  }

  proto::Err create(const std::string& path, const proto::NodeData& data = std::string(),
                    const proto::AclList& acl = kOpen, int32_t flags = 0) {
    return write(proto::OpCode::kCreate, proto::CreateRequest{path, data, acl, flags}).reply.err;
  }
  std::string create_path(const std::string& path, int32_t flags = 0) {
    Outcome o = write(proto::OpCode::kCreate, proto::CreateRequest{path, "", kOpen, flags});
    EXPECT_EQ(o.reply.err, proto::Err::kOk) << path;
    proto::CreateResponse resp;
    EXPECT_TRUE(proto::decode(o.reply.body, resp));
    return resp.path;
  }
  proto::Err remove(const std::string& path, int32_t version = -1) {
    return write(proto::OpCode::kDelete, proto::DeleteRequest{path, version}).reply.err;
  }
  proto::Err set_data(const std::string& path, const proto::NodeData& data, int32_t version = -1) {
    return write(proto::OpCode::kSetData, proto::SetDataRequest{path, data, version}).reply.err;
  }
  proto::Err set_acl(const std::string& path, const proto::AclList& acl, int32_t version = -1) {
    return write(proto::OpCode::kSetACL, proto::SetAclRequest{path, acl, version}).reply.err;
  }
  proto::Stat stat(const std::string& path) {
    const Znode* node = db_.tree().find(path);
    EXPECT_NE(node, nullptr) << path;
    return node != nullptr ? db_.tree().client_stat(*node) : proto::Stat{};
  }
  bool exists(const std::string& path) { return db_.tree().find(path) != nullptr; }

  // Runs the next requests as a session holding exactly these ids.
  void as(std::vector<proto::Id> ids) { auth_ = std::move(ids); }

  static proto::Err txn_error(const proto::Txn& txn) {
    if (const auto* e = std::get_if<proto::ErrorTxn>(&txn.body)) {
      return static_cast<proto::Err>(e->err);
    }
    return proto::Err::kOk;
  }

  Database db_;
  int64_t zxid_ = 0;
  int64_t now_ = 1'700'000'000'000;
  int32_t xid_ = 0;
  int64_t session_ = kSession;
  std::vector<proto::Id> auth_ = {proto::Id{"ip", "127.0.0.1"}};
  std::deque<std::string> bodies_;  // keeps request bodies alive (Request holds a view)
};

// Encodes a multi request: (MultiHeader{type, false, -1}, record)... then the end marker.
class MultiBuilder {
 public:
  template <typename T>
  MultiBuilder& add(proto::OpCode op, const T& record) {
    proto::JuteWriter w(out_);
    write(w, proto::MultiHeader{static_cast<int32_t>(op), false, -1});
    write(w, record);
    return *this;
  }
  std::string build() const {
    std::string out = out_;
    proto::JuteWriter w(out);
    write(w, proto::multi_end_marker());
    return out;
  }

 private:
  std::string out_;
};

// One result of a MultiResponse, decoded.
struct MultiResult {
  int32_t type = 0;
  int32_t err = 0;
  std::string path;
  proto::Stat stat;
  proto::NodeData data;  // getData: nullopt for null data
  std::vector<std::string> children;
};

inline std::vector<MultiResult> decode_multi_response(const std::string& body) {
  std::vector<MultiResult> out;
  proto::JuteReader r(body);
  while (true) {
    proto::MultiHeader h;
    read(r, h);
    if (!r.ok() || h.done) break;
    MultiResult m{h.type, h.err, {}, {}, {}, {}};
    switch (h.type) {
      case 1:
        m.path = r.string();
        break;
      case 15:
        m.path = r.string(), read(r, m.stat);
        break;
      case 5:
        read(r, m.stat);
        break;
      case 4:
        m.data = r.nullable_buffer(), read(r, m.stat);
        break;
      case 8:
        proto::read_strings(r, m.children);
        break;
      case -1:
        m.err = r.i32();
        break;
      default:
        break;
    }
    out.push_back(std::move(m));
  }
  EXPECT_TRUE(r.ok());
  return out;
}

}  // namespace paddock::state::testing
