#pragma once
// Shared by `paddock log dump` and `paddock snapshot dump`: txns, data, ACLs and stats as
// one-line text and as JSON.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "proto/txn.h"
#include "proto/types.h"

namespace paddock::app {

// Data as text: printable ASCII as is (quoted), anything else escaped (\xNN); cut after
// `max` bytes with "..." (0: no limit). nullopt prints as null.
std::string printable(std::optional<std::string_view> data, size_t max = 64);
// JSON: null; {"text": ...} for printable ASCII; else {"base64": ...}. Always with "size".
nlohmann::json data_json(std::optional<std::string_view> data);

std::string hex_zxid(int64_t zxid);                   // 0x...
std::string iso_time(int64_t ms);                     // 2024-01-02T03:04:05.678Z
std::string describe_acl(const proto::AclList& acl);  // "31:world:anyone,1:ip:1.2.3.4"
nlohmann::json acl_json(const proto::AclList& acl);
nlohmann::json stat_json(const proto::StatPersisted& stat);
std::string describe_stat(const proto::StatPersisted& stat);

// "create path=/a data='x' acl=... ephemeral=false parent_cversion=3" etc.
std::string describe_txn_body(int32_t type, const proto::TxnBody& body);
std::string describe_txn(const proto::Txn& txn);
nlohmann::json txn_json(const proto::Txn& txn);

// Prints JSON that may hold any bytes (invalid UTF-8 is replaced rather than thrown on).
std::string dump_json(const nlohmann::json& j);

}  // namespace paddock::app
