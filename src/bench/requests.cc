#include "bench/requests.h"

#include "client/framing.h"
#include "proto/types.h"

namespace paddock::bench {
namespace {

using proto::OpCode;

// Fills a record's bytes in place (NodeData starts as an empty string, never null here).
void assign(std::string& field, std::string_view bytes) { field.assign(bytes.data(), bytes.size()); }

}  // namespace

RequestRecords::RequestRecords() {
  create_.acl = {proto::Acl{proto::perm::kAll, proto::Id{"world", "anyone"}}};
}

void RequestRecords::connect(std::string& out, int32_t timeout_ms) {
  proto::ConnectRequest req;
  req.timeout_ms = timeout_ms;
  req.passwd = std::string(16, '\0');
  req.read_only = false;
  client::append_connect(out, req);
}

void RequestRecords::get_data(std::string& out, int32_t xid, std::string_view path, bool watch) {
  assign(get_data_.path, path);
  get_data_.watch = watch;
  client::append_request(out, xid, OpCode::kGetData, get_data_);
}

void RequestRecords::exists(std::string& out, int32_t xid, std::string_view path, bool watch) {
  assign(exists_.path, path);
  exists_.watch = watch;
  client::append_request(out, xid, OpCode::kExists, exists_);
}

void RequestRecords::get_children(std::string& out, int32_t xid, std::string_view path,
                                  bool watch) {
  assign(get_children_.path, path);
  get_children_.watch = watch;
  client::append_request(out, xid, OpCode::kGetChildren, get_children_);
}

void RequestRecords::set_data(std::string& out, int32_t xid, std::string_view path,
                              std::string_view data, int32_t version) {
  assign(set_data_.path, path);
  assign(*set_data_.data, data);
  set_data_.version = version;
  client::append_request(out, xid, OpCode::kSetData, set_data_);
}

void RequestRecords::create(std::string& out, int32_t xid, std::string_view path,
                            std::string_view data, int32_t flags) {
  assign(create_.path, path);
  assign(*create_.data, data);
  create_.flags = flags;
  client::append_request(out, xid, OpCode::kCreate, create_);
}

void RequestRecords::delete_node(std::string& out, int32_t xid, std::string_view path,
                                 int32_t version) {
  assign(delete_.path, path);
  delete_.version = version;
  client::append_request(out, xid, OpCode::kDelete, delete_);
}

void RequestRecords::multi_set_two(std::string& out, int32_t xid, std::string_view a,
                                   std::string_view b, std::string_view data) {
  assign(set_data_.path, a);
  assign(*set_data_.data, data);
  set_data_.version = -1;
  assign(multi_second_.path, b);
  assign(*multi_second_.data, data);
  multi_second_.version = -1;
  client::append_frame(out, [&](proto::JuteWriter& w) {
    write(w, proto::RequestHeader{xid, static_cast<int32_t>(OpCode::kMulti)});
    for (const proto::SetDataRequest* set : {&set_data_, &multi_second_}) {
      write(w, proto::MultiHeader{static_cast<int32_t>(OpCode::kSetData), false, -1});
      write(w, *set);
    }
    write(w, proto::multi_end_marker());
  });
}

void RequestRecords::ping(std::string& out) {
  client::append_request(out, proto::xid::kPing, OpCode::kPing);
}

void RequestRecords::close_session(std::string& out, int32_t xid) {
  client::append_request(out, xid, OpCode::kCloseSession);
}

}  // namespace paddock::bench
