#pragma once
// AdminExtension: what the admin server serves besides ZooKeeper's commands -- the web
// console (src/console/). server/ knows only this interface, so the console can depend on
// server/ and client/ without server/ depending on it; app/ builds the extension and hands
// it to server::Server before start().
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/client_port.h"
#include "util/result.h"

namespace httplib {
class Server;
}

namespace paddock::server {

// What an extension may use while the admin server runs.
struct AdminContext {
  httplib::Server& routes;      // add handlers for paths under url_prefix() only
  pipeline::RequestSink& sink;  // for snapshots (server/snapshot_pieces.h)
  // Where this server's own client port answers, so that an extension can be an ordinary
  // client of it (ACLs and quotas then apply exactly as for any client).
  std::string client_host;
  uint16_t client_port = 0;
};

class AdminExtension {
 public:
  virtual ~AdminExtension() = default;
  // Requests whose path is this prefix or lies below it ("/console", "/console/...") go to
  // the extension's routes; every other path keeps ZooKeeper's admin behaviour.
  virtual std::string_view url_prefix() const = 0;
  // The largest request body the extension's routes accept (ZooKeeper's commands take none).
  virtual size_t max_body_bytes() const = 0;
  // Paths that show what the protected admin commands show (sessions, clients, watches):
  // the admin server lets them through only for an identity with ADMIN on the root znode's
  // ACL, as it does those commands (admin_auth.h).
  virtual bool needs_admin(std::string_view path) const {
    (void)path;
    return false;
  }
  // Once, before the admin server listens: add routes, start what the extension runs.
  virtual Status start(const AdminContext& context) = 0;
  // After the admin server stopped listening (no handler runs any more): join and close
  // what start() started. Idempotent.
  virtual void stop() = 0;
};

}  // namespace paddock::server
