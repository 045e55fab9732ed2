#pragma once
// The requests the generator sends: proto's request records, framed by the client library's
// framing (client/framing.h), so the client and the generator share one codec. A session keeps
// one RequestRecords and refills the same records for each request: assigning a path or a
// payload into a record reuses the capacity it already has, so once every kind was sent once
// nothing is allocated per request (the generator must stay cheap next to the server it
// loads). Replies are read with client::parse_reply.
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/records.h"

namespace paddock::bench {

class RequestRecords {
 public:
  RequestRecords();

  // Each appends one whole frame to `out`.
  void connect(std::string& out, int32_t timeout_ms);  // a new session
  void get_data(std::string& out, int32_t xid, std::string_view path, bool watch);
  void exists(std::string& out, int32_t xid, std::string_view path, bool watch);
  void get_children(std::string& out, int32_t xid, std::string_view path, bool watch);
  void set_data(std::string& out, int32_t xid, std::string_view path, std::string_view data,
                int32_t version);
  // Open ACL (world:anyone, ALL); `flags` is a CreateMode.
  void create(std::string& out, int32_t xid, std::string_view path, std::string_view data,
              int32_t flags);
  void delete_node(std::string& out, int32_t xid, std::string_view path, int32_t version);
  // multi { setData(a, data, -1), setData(b, data, -1) }
  void multi_set_two(std::string& out, int32_t xid, std::string_view a, std::string_view b,
                     std::string_view data);
  void ping(std::string& out);
  void close_session(std::string& out, int32_t xid);

 private:
  proto::GetDataRequest get_data_;
  proto::ExistsRequest exists_;
  proto::GetChildrenRequest get_children_;
  proto::SetDataRequest set_data_;
  proto::SetDataRequest multi_second_;  // the multi's second setData (the first: set_data_)
  proto::CreateRequest create_;
  proto::DeleteRequest delete_;
};

}  // namespace paddock::bench
