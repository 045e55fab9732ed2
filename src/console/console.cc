#include "console/console.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <charconv>

#include "console/console_assets.h"
#include "console/server_views.h"
#include "server/snapshot_pieces.h"

namespace paddock::console {
namespace {

constexpr std::string_view kWriteHeader = "X-Paddock-Console";

void reply(httplib::Response& res, const ApiAnswer& a) {
  res.status = a.status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(a.body.dump(-1, ' ', false, Json::error_handler_t::replace),
                  "application/json");
}

void serve_asset(httplib::Response& res, std::string_view path) {
  const ConsoleAsset* asset = find_console_asset(path);
  if (asset == nullptr) {
    reply(res, {404, message_json("no such console file")});
    return;
  }
  res.status = 200;
  res.set_content(std::string(asset->bytes), std::string(asset->content_type));
}

std::optional<std::string_view> header(const httplib::Request& req, const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  auto it = req.headers.find(name);
  return std::string_view(it->second);
}

// The caller as the console acts for it. x509 goes here once the admin server speaks TLS:
// the verified client certificate of this connection would win over Basic credentials.
Result<ConsoleIdentity> identity_of_request(const httplib::Request& req) {
  return identity_from_authorization(header(req, "Authorization"));
}

std::string param(const httplib::Request& req, const char* name, std::string fallback = "") {
  return req.has_param(name) ? req.get_param_value(name) : fallback;
}

std::optional<int64_t> int_param(const httplib::Request& req, const char* name, int64_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

std::string connect_string(const server::AdminContext& c) {
  const bool v6 = c.client_host.find(':') != std::string::npos;
  return (v6 ? "[" + c.client_host + "]" : c.client_host) + ":" + std::to_string(c.client_port);
}

}  // namespace

Console::Console(ConsoleOptions options)
    : options_(std::move(options)),
      tree_(options_.request_timeout),
      sampler_(MetricsSamplerOptions{}) {}

Console::~Console() { stop(); }

// Data goes as base64 in JSON: 4/3 of the largest znode, plus room for the rest.
size_t Console::max_body_bytes() const { return options_.max_data_bytes / 3 * 4 + 65536; }

Status Console::start(const server::AdminContext& context) {
  sink_ = &context.sink;
  pool_ = std::make_unique<SessionPool>(SessionPoolOptions{.connect_string = connect_string(context),
                                                           .connect_timeout = options_.request_timeout});
  add_page_routes(context.routes);
  add_api_routes(context.routes);
  sampler_.start(context.sink);
  spdlog::info("event=console_ready url=/console/ writes={} client_port={}",
               options_.writes_enabled ? "enabled" : "disabled", connect_string(context));
  return Status::ok();
}

void Console::stop() {
  sampler_.stop();
  if (pool_) pool_->close_all();
}

void Console::add_page_routes(httplib::Server& routes) const {
  routes.Get("/console", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/console/");
  });
  routes.Get("/console/", [](const httplib::Request&, httplib::Response& res) {
    serve_asset(res, "index.html");
  });
  routes.Get(R"(/console/assets/([A-Za-z0-9._-]+))",
             [](const httplib::Request& req, httplib::Response& res) {
               serve_asset(res, req.matches[1].str());
             });
}

void Console::add_api_routes(httplib::Server& routes) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  routes.Get("/console/api/info", [this](Req req, Res res) { reply(res, info(req)); });
  routes.Get("/console/api/node", [this](Req req, Res res) { reply(res, read_node(req)); });
  routes.Post("/console/api/node",
              [this](Req req, Res res) { reply(res, write_node(req, "POST")); });
  routes.Put("/console/api/node", [this](Req req, Res res) { reply(res, write_node(req, "PUT")); });
  routes.Delete("/console/api/node",
                [this](Req req, Res res) { reply(res, write_node(req, "DELETE")); });
  routes.Get("/console/api/search", [this](Req req, Res res) { reply(res, search(req)); });
  routes.Get("/console/api/metrics", [this](Req req, Res res) {
    const std::optional<int64_t> after = int_param(req, "after", 0);
    if (!after || *after < 0) return reply(res, {400, message_json("after must be a number")});
    reply(res, {200, Json{{"interval_ms", 1000},
                          {"samples", samples_json(sampler_.since(static_cast<uint64_t>(*after)))}}});
  });
  routes.Get("/console/api/sessions", [this](Req, Res res) { reply(res, sessions()); });
  routes.Get("/console/api/ensemble", [this](Req, Res res) { reply(res, ensemble()); });
}

template <typename Op>
ApiAnswer Console::as_caller(const httplib::Request& req, Op op) const {
  Result<ConsoleIdentity> identity = identity_of_request(req);
  if (!identity) return {400, message_json(identity.error())};
  Result<std::shared_ptr<client::Client>> session = pool_->session_for(*identity);
  if (!session) return {503, message_json(session.error())};
  return op(**session);
}

ApiAnswer Console::info(const httplib::Request& req) const {
  Result<ConsoleIdentity> identity = identity_of_request(req);
  if (!identity) return {400, message_json(identity.error())};
  auto snap = server::wait_for_whole_snapshot(*sink_, {}, options_.request_timeout);
  Json j{{"writes_enabled", options_.writes_enabled},
         {"identity", identity->display_name()},
         {"identity_schemes", Json::array({"digest"})},  // x509: with the admin server's TLS
         {"max_data_bytes", options_.max_data_bytes},
         {"ensemble", !options_.members.empty()}};
  j["server"] = snap && *snap ? role_json(**snap) : Json(nullptr);
  return {200, j};
}

ApiAnswer Console::read_node(const httplib::Request& req) const {
  const std::string path = param(req, "path", "/");
  return as_caller(req, [&](client::Client& c) { return tree_.read(c, path); });
}

std::optional<ApiAnswer> Console::refuse_write(const httplib::Request& req) const {
  if (!options_.writes_enabled) {
    return ApiAnswer{403, message_json("the console is read-only: set "
                                       "admin.console.enableWrites=true in zoo.cfg to allow "
                                       "writes")};
  }
  if (!req.has_header(std::string(kWriteHeader).c_str())) {
    return ApiAnswer{403, message_json("a write needs the X-Paddock-Console header")};
  }
  return std::nullopt;
}

ApiAnswer Console::write_node(const httplib::Request& req, std::string_view method) const {
  if (auto refused = refuse_write(req)) return *refused;
  if (method == "DELETE") {
    const std::optional<int64_t> version = int_param(req, "version", -1);
    if (!version || *version < -1 || *version > INT32_MAX) {
      return {400, message_json("version must be a number >= -1")};
    }
    const std::string path = param(req, "path");
    if (!path.starts_with("/")) return {400, message_json("path must start with /")};
    return as_caller(req, [&](client::Client& c) {
      return tree_.remove(c, path, static_cast<int32_t>(*version));
    });
  }
  Result<WriteRequest> w = parse_write_request(req.body, options_.max_data_bytes);
  if (!w) return {400, message_json(w.error())};
  return as_caller(req, [&](client::Client& c) {
    return method == "POST" ? tree_.create(c, *w) : tree_.set(c, *w);
  });
}

ApiAnswer Console::search(const httplib::Request& req) const {
  const std::string query = param(req, "q");
  const std::string root = param(req, "root", "/");
  if (query.empty()) return {400, message_json("q is empty")};
  if (!root.starts_with("/")) return {400, message_json("root must start with /")};
  return as_caller(req, [&](client::Client& c) {
    return tree_.search(c, root, query, SearchLimits{});
  });
}

ApiAnswer Console::sessions() const {
  pipeline::SnapshotRequest what;
  what.connections = true;
  what.sessions = true;
  what.watches = true;
  auto snap = server::wait_for_whole_snapshot(*sink_, what, options_.request_timeout);
  if (!snap) return {504, message_json("the pipeline did not answer in time")};
  if (!*snap) return {503, message_json("the server is not serving")};
  return {200, sessions_json(**snap, SessionListLimits{})};
}

ApiAnswer Console::ensemble() const {
  auto snap = server::wait_for_whole_snapshot(*sink_, {}, options_.request_timeout);
  Json j{{"server", snap && *snap ? role_json(**snap) : Json(nullptr)}};
  j["members"] = members_json(ask_members(options_.members, options_.member_timeout));
  return {200, j};
}

const ConsoleAsset* find_console_asset(std::string_view path) {
  for (const ConsoleAsset& a : console_assets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace paddock::console
