#pragma once
// Console: Paddock's web console at <admin server>/console -- what zkui and TaoKeeper give,
// in one page served from the binary (no external host): a tree browser and editor, path
// search, live charts, the connections and sessions with their watches, the server's role
// and the ensemble's members. An AdminExtension (server/admin_extension.h): app/ builds it
// from zoo.cfg and the admin server runs it.
//
//   GET    /console/                     the page (index.html); /console/assets/<file>
//   GET    /console/api/info             server role, whether writes are on, who you are
//   GET    /console/api/node?path=P      children, data (base64), Stat, ACL
//   POST   /console/api/node             create   {path, data, encoding, mode, acl}
//   PUT    /console/api/node             set data {path, data, encoding, version}
//   DELETE /console/api/node?path=P&version=V
//   GET    /console/api/search?q=Q&root=R
//   GET    /console/api/metrics?after=SEQ
//   GET    /console/api/sessions
//   GET    /console/api/ensemble
//
// Tree calls run on a client session of this server's own client port authenticated as
// the caller (HTTP Basic -> digest; session_pool.h), so ACLs apply as for any client.
// Writes answer 403 unless admin.console.enableWrites=true, and need the header
// X-Paddock-Console (a cross-site form cannot send it, so another site's page cannot make
// a visitor's browser write).
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "console/console_options.h"
#include "console/identity.h"
#include "console/metrics_sampler.h"
#include "console/node_json.h"
#include "console/session_pool.h"
#include "console/tree_service.h"
#include "server/admin_extension.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace paddock::console {

class Console final : public server::AdminExtension {
 public:
  explicit Console(ConsoleOptions options);
  ~Console() override;

  std::string_view url_prefix() const override { return "/console"; }
  // The sessions view lists connections, sessions and their watches, as cons/wchc do.
  bool needs_admin(std::string_view path) const override { return path == "/console/api/sessions"; }
  size_t max_body_bytes() const override;
  Status start(const server::AdminContext& context) override;
  void stop() override;

 private:
  void add_page_routes(httplib::Server& routes) const;
  void add_api_routes(httplib::Server& routes);
  ApiAnswer info(const httplib::Request& req) const;
  ApiAnswer read_node(const httplib::Request& req) const;
  ApiAnswer write_node(const httplib::Request& req, std::string_view method) const;
  ApiAnswer search(const httplib::Request& req) const;
  ApiAnswer sessions() const;
  ApiAnswer ensemble() const;
  // Runs `op` on the caller's session; 400 for bad credentials, 503 when no session opens.
  template <typename Op>
  ApiAnswer as_caller(const httplib::Request& req, Op op) const;
  std::optional<ApiAnswer> refuse_write(const httplib::Request& req) const;

  ConsoleOptions options_;
  pipeline::RequestSink* sink_ = nullptr;  // set by start()
  std::unique_ptr<SessionPool> pool_;
  TreeService tree_;
  MetricsSampler sampler_;
};

}  // namespace paddock::console
