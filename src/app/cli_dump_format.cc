#include "app/cli_dump_format.h"

#include <fmt/format.h>

#include <ctime>
#include <variant>

#include "state/op_table.h"

namespace paddock::app {
namespace {

bool is_text(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c > 0x7e) return false;
  }
  return true;
}

std::string base64(std::string_view in) {
  static const char* kTable = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kTable[(v >> s) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += i + 1 < in.size() ? kTable[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

const char* type_name(int32_t type) { return state::op_info(type).name; }

// Fields of one body, for both the text and the JSON form.
struct BodyFields {
  nlohmann::json json = nlohmann::json::object();
  std::string text;
  void add(const char* key, const std::string& text_value, nlohmann::json value) {
    text += fmt::format(" {}={}", key, text_value);
    json[key] = std::move(value);
  }
};

BodyFields body_fields(int32_t type, const proto::TxnBody& body);

BodyFields simple_fields(int32_t type, const proto::SimpleTxnBody& body) {
  return std::visit([&](const auto& b) { return body_fields(type, proto::TxnBody(b)); }, body);
}

BodyFields body_fields(int32_t type, const proto::TxnBody& body) {
  BodyFields f;
  std::visit(
      [&](const auto& b) {
        using B = std::decay_t<decltype(b)>;
        if constexpr (requires { b.path; }) f.add("path", b.path, b.path);
        if constexpr (requires { b.data; }) {
          f.add("data", printable(b.data ? std::optional<std::string_view>(*b.data) : std::nullopt),
                data_json(b.data ? std::optional<std::string_view>(*b.data) : std::nullopt));
        }
        if constexpr (requires { b.acl; }) f.add("acl", describe_acl(b.acl), acl_json(b.acl));
        if constexpr (std::is_same_v<B, proto::CreateTxn>)
          f.add("ephemeral", b.ephemeral ? "true" : "false", b.ephemeral);
        if constexpr (requires { b.parent_cversion; }) {
          f.add("parent_cversion", std::to_string(b.parent_cversion), b.parent_cversion);
        }
        if constexpr (std::is_same_v<B, proto::CreateTtlTxn>)
          f.add("ttl", std::to_string(b.ttl), b.ttl);
        if constexpr (requires { b.version; })
          f.add("version", std::to_string(b.version), b.version);
        if constexpr (std::is_same_v<B, proto::CreateSessionTxn>) {
          f.add("timeout_ms", std::to_string(b.timeout_ms), b.timeout_ms);
        }
        if constexpr (std::is_same_v<B, proto::CloseSessionTxn>) {
          std::string paths;
          for (const auto& p : b.paths_to_delete) paths += (paths.empty() ? "" : ",") + p;
          f.add("ephemerals", "[" + paths + "]", b.paths_to_delete);
        }
        if constexpr (std::is_same_v<B, proto::ErrorTxn>) {
          f.add("err",
                fmt::format("{}({})", proto::err_name(static_cast<proto::Err>(b.err)), b.err),
                b.err);
        }
        if constexpr (std::is_same_v<B, proto::MultiTxn>) {
          nlohmann::json ops = nlohmann::json::array();
          std::string text;
          for (const proto::MultiTxnOp& op : b.ops) {
            BodyFields inner = simple_fields(op.type, op.body);
            inner.json["type"] = type_name(op.type);
            ops.push_back(inner.json);
            text += fmt::format(" {{{}{}}}", type_name(op.type), inner.text);
          }
          f.text += text;
          f.json["ops"] = std::move(ops);
        }
      },
      body);
  (void)type;
  return f;
}

}  // namespace

std::string printable(std::optional<std::string_view> data, size_t max) {
  if (!data) return "null";
  std::string out = "'";
  size_t n = 0;
  for (unsigned char c : *data) {
    if (max != 0 && n++ >= max) {
      out += "...";
      break;
    }
    if (c >= 0x20 && c <= 0x7e && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out + "'";
}

nlohmann::json data_json(std::optional<std::string_view> data) {
  if (!data) return nullptr;
  nlohmann::json j;
  if (is_text(*data)) {
    j["text"] = std::string(*data);
  } else {
    j["base64"] = base64(*data);
  }
  j["size"] = data->size();
  return j;
}

std::string hex_zxid(int64_t zxid) { return fmt::format("0x{:x}", zxid); }

std::string iso_time(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(((ms % 1000) + 1000) % 1000));
}

std::string describe_acl(const proto::AclList& acl) {
  std::string out;
  for (const proto::Acl& a : acl) {
    out += fmt::format("{}{}:{}:{}", out.empty() ? "" : ",", a.perms, a.id.scheme, a.id.id);
  }
  return out.empty() ? "[]" : out;
}

nlohmann::json acl_json(const proto::AclList& acl) {
  nlohmann::json out = nlohmann::json::array();
  for (const proto::Acl& a : acl) {
    out.push_back({{"perms", a.perms}, {"scheme", a.id.scheme}, {"id", a.id.id}});
  }
  return out;
}

nlohmann::json stat_json(const proto::StatPersisted& s) {
  return {{"czxid", s.czxid},       {"mzxid", s.mzxid},
          {"ctime", s.ctime},       {"mtime", s.mtime},
          {"version", s.version},   {"cversion", s.cversion},
          {"aversion", s.aversion}, {"ephemeralOwner", s.ephemeral_owner},
          {"pzxid", s.pzxid}};
}

std::string describe_stat(const proto::StatPersisted& s) {
  return fmt::format(
      "czxid={} mzxid={} pzxid={} ctime={} mtime={} version={} cversion={} "
      "aversion={} ephemeralOwner=0x{:x}",
      hex_zxid(s.czxid), hex_zxid(s.mzxid), hex_zxid(s.pzxid), s.ctime, s.mtime, s.version,
      s.cversion, s.aversion, static_cast<uint64_t>(s.ephemeral_owner));
}

std::string describe_txn_body(int32_t type, const proto::TxnBody& body) {
  return type_name(type) + body_fields(type, body).text;
}

std::string describe_txn(const proto::Txn& txn) {
  const proto::TxnHeader& h = txn.header;
  std::string out = fmt::format("zxid={} time={} session=0x{:x} cxid={} {}", hex_zxid(h.zxid),
                                iso_time(h.time_ms), static_cast<uint64_t>(h.session_id), h.cxid,
                                describe_txn_body(h.type, txn.body));
  if (txn.digest) out += fmt::format(" digest={}", *txn.digest);
  return out;
}

nlohmann::json txn_json(const proto::Txn& txn) {
  const proto::TxnHeader& h = txn.header;
  nlohmann::json j = body_fields(h.type, txn.body).json;
  j["zxid"] = h.zxid;
  j["zxid_hex"] = hex_zxid(h.zxid);
  j["time_ms"] = h.time_ms;
  j["session"] = h.session_id;
  j["cxid"] = h.cxid;
  j["type"] = type_name(h.type);
  j["type_code"] = h.type;
  j["digest"] = txn.digest ? nlohmann::json(*txn.digest) : nlohmann::json(nullptr);
  return j;
}

std::string dump_json(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace paddock::app
