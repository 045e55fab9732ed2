#include "server/admin_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "server/admin_commands.h"
#include "server/host_facts.h"
#include "server/snapshot_pieces.h"
#include "tls/x509_name.h"

namespace paddock::server {

struct AdminServer::Answer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

namespace {


std::string json_text(const Json& body) {
  return body.dump(2, ' ', false, Json::error_handler_t::replace);
}

// The request line and headers as they came, give or take the line ends.
size_t head_bytes(const httplib::Request& req) {
  size_t n = req.method.size() + req.target.size() + req.version.size() + 4;
  for (const auto& [name, value] : req.headers) n += name.size() + value.size() + 4;
  return n;
}

// The subject of an HTTPS request's client certificate, as Java prints it; none without.
std::optional<std::string> client_subject(const httplib::Request& req) {
  if (req.ssl == nullptr) return std::nullopt;
  X509* cert = SSL_get0_peer_certificate(req.ssl);
  if (cert == nullptr) return std::nullopt;
  return tls::java_rfc2253_name(X509_get_subject_name(cert));
}

// The request's ids (admin_auth.h): the TCP peer's address, never a forwarding header.
AdminIdentity request_identity(const httplib::Request& req, const AdminAuthPolicy& policy) {
  // get_header_value returns a copy: keep it alive while the identity is read from it.
  std::optional<std::string> authorization;
  if (req.has_header("Authorization")) authorization = req.get_header_value("Authorization");
  std::optional<std::string_view> view;
  if (authorization) view = *authorization;
  return admin_request_identity(req.remote_addr, view, client_subject(req), policy);
}

Json refusal_json(std::string_view name, const std::string& error) {
  return Json{{"command", name}, {"error", error}};
}

HttpEndpointOptions endpoint_options(const AdminServerOptions& o, const AdminExtension* e,
                                     std::string& tls_error) {
  HttpEndpointOptions h;
  if (o.https) {
    h.tls_setup = [settings = *o.https, &tls_error](SSL_CTX& ctx) {
      Status st = tls::configure_server_context(&ctx, settings);
      if (!st) tls_error = st.message();
      return st.is_ok();
    };
  }
  h.port_unification = o.https.has_value() && o.port_unification;
  h.host = o.address.empty() ? "0.0.0.0" : o.address;
  h.port = o.port;
  h.worker_threads = o.worker_threads;
  h.idle_timeout = o.idle_timeout;
  h.what = "admin";
  if (e != nullptr) h.max_body_bytes = std::max(h.max_body_bytes, e->max_body_bytes());
  return h;
}

}  // namespace

AdminServer::AdminServer(AdminServerOptions options, pipeline::RequestSink& sink,
                         AdminExtension* extension)
    : options_(std::move(options)),
      sink_(sink),
      extension_(extension),
      trace_mask_(options_.trace_mask != nullptr ? *options_.trace_mask : own_trace_mask_),
      http_(endpoint_options(options_, extension, tls_error_)) {}

AdminServer::~AdminServer() { stop(); }

Status AdminServer::start() {
  if (options_.started_ms == 0) options_.started_ms = wall_clock_ms();
  // Every request goes through here, before the library's routing: ZooKeeper's admin
  // answers are decided by method and path alone. The extension's paths go on to the
  // routes it added (the library reads a request's body only after this handler).
  http_.routes().set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        const size_t head = head_bytes(req);
        if (head <= options_.max_request_bytes && is_extension_path(req.path)) {
          if (extension_->needs_admin(req.path)) {
            const AdminIdentity who = request_identity(req, options_.auth);
            if (std::optional<Answer> refused = refuse_unless_admin(req.path, who)) {
              // No WWW-Authenticate: the console asks for credentials itself.
              res.status = refused->status;
              res.set_content(refused->body, refused->content_type);
              return httplib::Server::HandlerResponse::Handled;
            }
          }
          return httplib::Server::HandlerResponse::Unhandled;
        }
        Arguments arguments;
        for (const auto& [name, value] : req.params) arguments.emplace(name, value);  // first
        // The TCP peer's address, never a forwarding header (admin_auth.h).
        const AdminIdentity who = request_identity(req, options_.auth);
        Answer a = answer(req.method, req.path, arguments, head, who);
        if (a.status == 401) res.set_header("WWW-Authenticate", "Basic realm=\"zookeeper-admin\"");
        res.status = a.status;
        res.set_content(a.body, a.content_type);
        return httplib::Server::HandlerResponse::Handled;
      });
  if (extension_ != nullptr) {
    AdminContext context{http_.routes(), sink_, options_.client_host, options_.client_port};
    if (Status s = extension_->start(context); !s) return s;
    extension_started_ = true;
  }
  if (Status s = http_.start(); !s) {
    stop();
    if (!tls_error_.empty()) return Status::error("admin server HTTPS: " + tls_error_);
    return s;
  }
  spdlog::info("admin server listening address={} port={} url={} https={}", options_.address,
               http_.bound_port(), options_.command_url, options_.https.has_value());
  return Status::ok();
}

void AdminServer::stop() {
  http_.stop();
  if (extension_started_) {
    extension_started_ = false;
    extension_->stop();
  }
}

bool AdminServer::is_extension_path(std::string_view path) const {
  if (extension_ == nullptr) return false;
  std::string_view prefix = extension_->url_prefix();
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

AdminServer::Answer AdminServer::answer(const std::string& method, const std::string& path,
                                        const Arguments& arguments, size_t head,
                                        const AdminIdentity& who) const {
  if (head > options_.max_request_bytes) {
    return {431, "text/plain", "request too large\n"};
  }
  if (method != "GET") return {405, "text/plain", "only GET is supported\n"};
  std::string_view target = path;
  std::string_view url = options_.command_url;
  if (target == url || (target.size() == url.size() + 1 && target.starts_with(url) &&
                        target.back() == '/')) {
    return {200, "text/html", admin_command_list_html(url)};
  }
  if (target.size() > url.size() + 1 && target.starts_with(url) && target[url.size()] == '/') {
    return run_command(target.substr(url.size() + 1), arguments, who);
  }
  return {404, "text/plain", "not found\n"};
}

std::optional<AdminServer::Answer> AdminServer::refuse_unless_admin(std::string_view name,
                                                                   const AdminIdentity& who) const {
  // The root's ACL as the pipeline holds it now (a counters-only snapshot: O(1)).
  std::optional<WholeSnapshot> answered = wait_for_whole_snapshot(sink_, {}, options_.snapshot_timeout);
  if (!answered) return Answer{503, "text/plain", "the pipeline did not answer in time\n"};
  static const proto::AclList kOpen;  // no snapshot (a test sink): nothing to check against
  const proto::AclList& root_acl = *answered ? (*answered)->root_acl : kOpen;
  const AdminVerdict verdict = authorize_admin(root_acl, who, options_.auth);
  if (verdict == AdminVerdict::kAllowed) return std::nullopt;
  const std::string peer = who.ids.empty() ? "?" : who.ids.front().id;
  refused_log_.info(util::steady_now_ms(), peer, "event=admin_refused command={} peer={} reason={}",
                    name, peer,
                    !who.error.empty() ? who.error
                    : verdict == AdminVerdict::kNeedsCredentials ? "no credentials"
                                                                 : "no ADMIN permission on /");
  if (verdict == AdminVerdict::kNeedsCredentials) {
    return Answer{401, "application/json",
                  json_text(refusal_json(name, "Authentication required: this command needs "
                                               "the ADMIN permission on the root znode"))};
  }
  return Answer{403, "application/json",
                json_text(refusal_json(name, !who.error.empty()
                                                 ? who.error
                                                 : "Not authorized: the request's identity "
                                                   "lacks the ADMIN permission on the root "
                                                   "znode"))};
}

AdminServer::Answer AdminServer::run_command(std::string_view name, const Arguments& arguments,
                                             const AdminIdentity& who) const {
  const AdminCommand* command = find_admin_command(name);
  if (command == nullptr) return {200, "application/json", json_text(unknown_admin_command_json(name))};
  if (command->needs_admin) {
    if (std::optional<Answer> refused = refuse_unless_admin(command->name, who)) return *refused;
  }
  AdminCommandInput input{arguments, options_.initial_configuration, options_.system_properties};
  if (command->effect == AdminEffect::kResetConnectionStats) sink_.reset_statistics(true);
  if (command->effect == AdminEffect::kResetServerStats) sink_.reset_statistics(false);
  if (command->effect == AdminEffect::kSetTraceMask) {
    if (std::optional<int64_t> mask = trace_mask_argument(input)) trace_mask_ = *mask;
  }
  if (!command->needs_snapshot) {
    HostFacts facts = collect_host_facts(options_.started_ms, "", "", false);
    facts.trace_mask = trace_mask_;
    return {200, "application/json",
            json_text(admin_command_json(*command, nullptr, facts, input))};
  }
  std::optional<WholeSnapshot> answered =
      wait_for_whole_snapshot(sink_, admin_snapshot_request(*command), options_.snapshot_timeout);
  if (!answered) return {503, "text/plain", "the pipeline did not answer in time\n"};
  const WholeSnapshot& snap = *answered;
  HostFacts facts = collect_host_facts(options_.started_ms, snap ? snap->data_dir : "",
                                       snap ? snap->data_log_dir : "", command->needs_dir_sizes);
  facts.trace_mask = trace_mask_;
  if (snap && command->name == "last_snapshot") {
    facts.last_snapshot_modified_s = file_modified_seconds(snap->last_snapshot_path);
  }
  return {200, "application/json",
          json_text(admin_command_json(*command, snap.get(), facts, input))};
}

}  // namespace paddock::server
