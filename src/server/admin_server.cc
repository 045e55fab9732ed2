#include "server/admin_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <future>

#include "server/admin_commands.h"
#include "server/host_facts.h"
#include "server/snapshot_pieces.h"

namespace paddock::server {

// One HTTP connection: read the request head (bounded), answer once, close.
class AdminServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(AdminServer& server, uint64_t id, asio::ip::tcp::socket socket)
      : server_(server), id_(id), socket_(std::move(socket)), timer_(socket_.get_executor()) {}

  void start(std::chrono::milliseconds idle_timeout, size_t max_bytes) {
    timer_.expires_after(idle_timeout);
    timer_.async_wait([self = shared_from_this()](std::error_code ec) {
      if (!ec) self->close();
    });
    asio::async_read_until(socket_, asio::dynamic_buffer(request_, max_bytes), "\r\n\r\n",
                           [self = shared_from_this()](std::error_code ec, size_t n) {
                             self->on_request(ec, n);
                           });
  }

  void respond(int status, std::string_view reason, std::string_view content_type,
               std::string body) {
    if (closed_) return;
    response_ = fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        status, reason, content_type, body.size());
    response_ += body;
    asio::async_write(socket_, asio::buffer(response_),
                      [self = shared_from_this()](std::error_code ec, size_t) {
                        if (ec) {
                          self->close();
                        } else {
                          self->linger();
                        }
                      });
  }

  void respond_json(const Json& body) {
    respond(200, "OK", "application/json",
            body.dump(2, ' ', false, Json::error_handler_t::replace));
  }

  // Closing with unread request bytes would reset the connection and could destroy the
  // response in flight: send FIN, then discard what the client still sends until it closes
  // (or the idle timer fires).
  void linger() {
    std::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    discard();
  }

  void discard() {
    socket_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](std::error_code ec, size_t) {
                              if (ec) {
                                self->close();
                              } else {
                                self->discard();
                              }
                            });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    std::error_code ignored;
    timer_.cancel();
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    server_.session_done(id_);  // may drop the last owner; handlers hold their own
  }

 private:
  void on_request(std::error_code ec, size_t head_bytes) {
    if (closed_) return;
    if (ec == asio::error::not_found) {  // the head outgrew max_request_bytes
      respond(431, "Request Header Fields Too Large", "text/plain", "request too large\n");
      return;
    }
    if (ec) {
      close();
      return;
    }
    server_.handle_request(shared_from_this(), std::string_view(request_).substr(0, head_bytes));
  }

  AdminServer& server_;
  uint64_t id_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  std::string request_;
  std::string response_;
  char discard_[512];
  bool closed_ = false;
};

AdminServer::AdminServer(AdminServerOptions options, pipeline::RequestSink& sink,
                         asio::io_context& io)
    : options_(std::move(options)),
      sink_(sink),
      io_(io),
      acceptor_(io),
      gate_(std::make_shared<PostGate>(io)) {}

AdminServer::~AdminServer() { stop(); }

Status AdminServer::start() {
  PADDOCK_ASSERT(!started_);
  auto fail = [&](const std::error_code& ec) {
    std::error_code ignored;
    acceptor_.close(ignored);
    return Status::error(fmt::format("cannot listen on admin address {}:{}: {}",
                                     options_.address, options_.port, ec.message()));
  };
  std::error_code ec;
  auto address = asio::ip::make_address(options_.address.empty() ? "0.0.0.0" : options_.address, ec);
  if (ec) return fail(ec);
  asio::ip::tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(ec);
  bound_port_ = acceptor_.local_endpoint(ec).port();
  if (options_.started_ms == 0) options_.started_ms = wall_clock_ms();
  started_ = true;
  asio::post(io_, [this] { accept_next(); });
  spdlog::info("admin server listening address={} port={} url={}", options_.address,
               bound_port_, options_.command_url);
  return Status::ok();
}

void AdminServer::accept_next() {
  if (stopped_) return;
  acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopped_) return;
    if (!ec) {
      if (sessions_.size() >= options_.max_connections) {
        std::error_code ignored;
        socket.close(ignored);
      } else {
        uint64_t id = next_session_++;
        auto session = std::make_shared<Session>(*this, id, std::move(socket));
        sessions_.emplace(id, session);
        session->start(options_.idle_timeout, options_.max_request_bytes);
      }
    }
    accept_next();
  });
}

void AdminServer::handle_request(const std::shared_ptr<Session>& session,
                                 std::string_view request) {
  std::string_view line = request.substr(0, request.find("\r\n"));
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    session->respond(400, "Bad Request", "text/plain", "bad request\n");
    return;
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  target = target.substr(0, target.find('?'));
  if (method != "GET") {
    session->respond(405, "Method Not Allowed", "text/plain", "only GET is supported\n");
    return;
  }
  std::string_view url = options_.command_url;
  if (target == url || (target.size() == url.size() + 1 && target.starts_with(url) &&
                        target.back() == '/')) {
    session->respond(200, "OK", "text/html", admin_command_list_html(url));
    return;
  }
  if (target.size() > url.size() + 1 && target.starts_with(url) && target[url.size()] == '/') {
    run_command(session, target.substr(url.size() + 1));
    return;
  }
  session->respond(404, "Not Found", "text/plain", "not found\n");
}

void AdminServer::run_command(const std::shared_ptr<Session>& session, std::string_view name) {
  const AdminCommand* command = find_admin_command(name);
  if (command == nullptr) {
    session->respond_json(unknown_admin_command_json(name));
    return;
  }
  if (command->effect == AdminEffect::kResetConnectionStats) sink_.reset_statistics(true);
  if (command->effect == AdminEffect::kResetServerStats) sink_.reset_statistics(false);
  if (!command->needs_snapshot) {
    session->respond_json(admin_command_json(*command, nullptr, HostFacts{}));
    return;
  }
  request_whole_snapshot(
      sink_, admin_snapshot_request(*command),
      [this, gate = gate_, session, command](std::shared_ptr<const pipeline::ServerSnapshot> snap) {
        gate->post([this, session, command, snap = std::move(snap)] {
          HostFacts facts =
              collect_host_facts(options_.started_ms, snap ? snap->data_dir : "",
                                 snap ? snap->data_log_dir : "", command->needs_dir_sizes);
          session->respond_json(admin_command_json(*command, snap.get(), facts));
        });
      });
}

void AdminServer::close_everything() {
  stopped_ = true;
  std::error_code ignored;
  acceptor_.close(ignored);
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (auto& [id, session] : sessions) session->close();
}

void AdminServer::stop() {
  if (!started_ || stopped_) return;
  gate_->close();
  if (io_.stopped() || io_.get_executor().running_in_this_thread()) {
    close_everything();
    return;
  }
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  asio::post(io_, [this, done] {
    close_everything();
    done->set_value();
  });
  // If nobody runs the loop any more the post never executes: close from here instead.
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) close_everything();
}

}  // namespace paddock::server
