#pragma once
// Test support (header only, so it stays out of the library): real servers started as child
// processes -- paddockd from the test binary's own directory (or $PADDOCK_BIN), and Apache
// ZooKeeper 3.8 from /usr/share/java (as tests/harness/servers.py does) -- each on a free
// loopback port with its own temp dir, and a TCP proxy that can cut or black-hole
// connections. Children die with the test (PR_SET_PDEATHSIG) and dirs are removed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "util/test_ports.h"

namespace paddock::client::testing {

enum class ServerKind { kPaddock, kZooKeeper };
inline const char* kind_name(ServerKind k) {
  return k == ServerKind::kPaddock ? "Paddock" : "ZooKeeper";
}

using test_ports::free_port;  // below the ephemeral range: see util/test_ports.h

inline int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends a four-letter word; the whole answer, or "" if the port is closed.
inline std::string four_letter(int port, const std::string& cmd) {
  int fd = connect_loopback(port);
  if (fd < 0) return "";
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!::write(fd, cmd.data(), cmd.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

inline std::string self_dir() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
}

inline std::string paddockd_path() {
  const char* bin = std::getenv("PADDOCK_BIN");
  return (bin ? std::string(bin) : self_dir()) + "/paddockd";
}

inline const char* kZkClassPath =
    "/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar:"
    "/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-simple.jar:"
    "/usr/share/java/netty-all.jar:/usr/share/java/metrics-core.jar:"
    "/usr/share/java/snappy-java.jar";

// Empty if this kind of server can be started here, else why not.
inline std::string unavailable(ServerKind kind) {
  if (kind == ServerKind::kPaddock) {
    return ::access(paddockd_path().c_str(), X_OK) == 0 ? "" : "no paddockd at " + paddockd_path();
  }
  if (::access("/usr/share/java/zookeeper.jar", R_OK) != 0)
    return "no /usr/share/java/zookeeper.jar";
  if (std::system("command -v java >/dev/null 2>&1") != 0) return "no java";
  return "";
}

// Whether process `pid` holds a socket listening on `port` (/proc/net/tcp and tcp6 give the
// socket's inode -- a JVM listens on an IPv6 socket -- and /proc/<pid>/fd the process's).
inline bool listens_on_port(pid_t pid, int port) {
  std::vector<std::string> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream tcp(table);
    std::string line;
    std::getline(tcp, line);  // the header
    while (std::getline(tcp, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      const auto colon = local.rfind(':');
      if (state != "0A" || colon == std::string::npos) continue;  // 0A: LISTEN
      if (std::stoi(local.substr(colon + 1), nullptr, 16) == port) {
        inodes.push_back("socket:[" + inode + "]");
      }
    }
  }
  if (inodes.empty()) return false;
  std::error_code ec;
  for (const auto& fd :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code link_ec;
    const std::string target = std::filesystem::read_symlink(fd.path(), link_ec).string();
    if (std::find(inodes.begin(), inodes.end(), target) != inodes.end()) return true;
  }
  return false;
}

class TestServer {
 public:
  TestServer(ServerKind kind, int port = 0)
      : kind_(kind), port_(port ? port : free_port()), port_chosen_(port == 0) {
    char tmpl[] = "/tmp/paddock-client-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::filesystem::create_directories(dir_ + "/data");
    write_config();
  }
  ~TestServer() {
    kill9();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  std::string hostport() const { return "127.0.0.1:" + std::to_string(port_); }
  ServerKind kind() const { return kind_; }

  // Starts the process and waits until it serves (ruok, then srvr without "not serving").
  // A port chosen here that another test process took first (free_port checks it, but a
  // JVM binds a second later) is chosen again, before the server has ever served.
  bool start(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    for (int attempt = 0;; ++attempt) {
      const auto log_size = log_bytes();
      if (start_once(timeout)) {
        served_ = true;
        return true;
      }
      if (served_ || !port_chosen_ || attempt == 3) return false;
      if (log_tail_since(log_size).find("Address already in use") == std::string::npos) {
        return false;
      }
      port_ = free_port();
      write_config();
    }
  }

  bool start_once(std::chrono::seconds timeout) {
    std::vector<std::string> args;
    if (kind_ == ServerKind::kPaddock) {
      args = {paddockd_path(), "-Dzookeeper.extendedTypesEnabled=true", dir_ + "/zoo.cfg"};
    } else {
      args = {"/usr/bin/java",
              "-Xmx256m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-Xshare:auto",
              "-Dzookeeper.admin.enableServer=false",
              "-Dzookeeper.extendedTypesEnabled=true",
              "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
              "-cp",
              kZkClassPath,
              "org.apache.zookeeper.server.quorum.QuorumPeerMain",
              dir_ + "/zoo.cfg"};
      if (::access(args[0].c_str(), X_OK) != 0) args[0] = "java";
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string log = dir_ + "/server.log";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      int devnull = ::open("/dev/null", O_RDONLY);
      ::dup2(devnull, 0);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      if (::chdir(dir_.c_str()) != 0) ::_exit(126);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      // Only once our process listens there: until then a server of another test process
      // that took the port would answer.
      if (listens_on_port(pid_, port_) && !four_letter(port_, "ruok").empty()) {
        std::string srvr = four_letter(port_, "srvr");
        if (!srvr.empty() && srvr.find("not currently serving") == std::string::npos) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string log_tail() const {
    std::ifstream f(dir_ + "/server.log");
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
  }

 private:
  ServerKind kind_;
  int port_;
  std::string dir_;
  pid_t pid_ = -1;
  bool port_chosen_ = false;  // by free_port(), not by the test
  bool served_ = false;

  void write_config() {
    std::ofstream cfg(dir_ + "/zoo.cfg", std::ios::trunc);
    cfg << "tickTime=200\ndataDir=" << dir_ << "/data\nclientPort=" << port_
        << "\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n"
        << "4lw.commands.whitelist=*\nmaxSessionTimeout=30000\nmaxClientCnxns=0\nforceSync=no\n";
  }
  std::uintmax_t log_bytes() const {
    std::error_code ec;
    auto n = std::filesystem::file_size(dir_ + "/server.log", ec);
    return ec ? 0 : n;
  }
  std::string log_tail_since(std::uintmax_t offset) const {
    std::ifstream f(dir_ + "/server.log");
    f.seekg(static_cast<std::streamoff>(offset));
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
};

// A TCP proxy on a free loopback port in front of `target_port`, for ZooKeeper's framed
// protocol. It makes on purpose what networks do by accident:
// - cut() closes every connection it carries (and returns once they are closed);
// - blackhole(true) keeps connections open but forwards nothing (and accepts new ones that go
//   nowhere), as a partition would;
// - refuse(true) closes every new connection at once, as a server that is down would;
// - hold_replies_after(n) forwards n more whole reply frames, then keeps the server's replies
//   in its own buffer: a request sent then reaches the server and is applied, but its reply
//   does not come back. With a cut() after it, that is the "create whose outcome is unknown"
//   of a connection loss. release() forwards everything again.
class TcpProxy {
 public:
  explicit TcpProxy(int target_port) : target_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(listen_fd_, 64);
    thread_ = std::thread([this] { loop(); });
  }
  ~TcpProxy() {
    stop_ = true;
    thread_.join();
    close_pairs();
    ::close(listen_fd_);
  }
  int port() const { return port_; }
  std::string hostport() const { return "127.0.0.1:" + std::to_string(port_); }
  void cut() {
    cut_ = true;
    while (cut_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void blackhole(bool on) { blackhole_ = on; }
  void refuse(bool on) { refuse_ = on; }
  void hold_replies_after(int frames) {
    budget_ = frames;
    hold_ = true;
  }
  void release() { hold_ = false; }
  // Whole reply frames held back on the connection flushed last.
  int held_frames() const { return held_frames_.load(); }

 private:
  struct Pair {
    int client_fd, server_fd;
    std::string from_server;  // read, not yet forwarded
  };
  static size_t frame_size_at(const std::string& b, size_t at) {
    const auto* u = reinterpret_cast<const unsigned char*>(b.data() + at);
    return 4 + ((size_t{u[0]} << 24) | (size_t{u[1]} << 16) | (size_t{u[2]} << 8) | u[3]);
  }
  void close_pairs() {
    for (auto& p : pairs_) {
      ::close(p.client_fd);
      ::close(p.server_fd);
    }
    pairs_.clear();
  }
  // Forwards the whole reply frames it may; false when the client side is gone.
  bool flush(Pair& p) {
    std::string& b = p.from_server;
    size_t sent = 0;
    while (b.size() - sent >= 4) {
      const size_t frame = frame_size_at(b, sent);
      if (b.size() - sent < frame) break;
      if (hold_) {
        if (budget_ <= 0) break;
        budget_--;
      }
      if (::send(p.client_fd, b.data() + sent, frame, MSG_NOSIGNAL) != static_cast<ssize_t>(frame))
        return false;
      sent += frame;
    }
    b.erase(0, sent);
    int held = 0;
    for (size_t at = 0; b.size() - at >= 4 && b.size() - at >= frame_size_at(b, at); ++held) {
      at += frame_size_at(b, at);
    }
    held_frames_ = held;
    return true;
  }
  void loop() {
    std::vector<char> buf(64 * 1024);
    while (!stop_) {
      if (cut_) {
        close_pairs();
        cut_ = false;
      }
      const short events = blackhole_ ? 0 : POLLIN;
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (auto& p : pairs_) {
        fds.push_back({p.client_fd, events, 0});
        fds.push_back({p.server_fd, events, 0});
      }
      if (::poll(fds.data(), fds.size(), 10) <= 0) continue;
      const size_t polled = pairs_.size();  // a pair accepted below was not polled yet
      if (fds[0].revents & POLLIN) {
        int c = ::accept(listen_fd_, nullptr, nullptr);
        int u = c >= 0 && !refuse_ ? connect_loopback(target_) : -1;
        if (u >= 0) {
          pairs_.push_back({c, u, {}});
        } else if (c >= 0) {
          ::close(c);
        }
      }
      std::vector<size_t> dead;
      for (size_t i = 0; i < polled; ++i) {
        Pair& p = pairs_[i];
        bool ok = true;
        if (fds[1 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) {
          ssize_t n = ::read(p.client_fd, buf.data(), buf.size());
          ok = n > 0 && ::send(p.server_fd, buf.data(), static_cast<size_t>(n), MSG_NOSIGNAL) == n;
        }
        if (ok && (fds[2 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR))) {
          ssize_t n = ::read(p.server_fd, buf.data(), buf.size());
          ok = n > 0;
          if (ok) p.from_server.append(buf.data(), static_cast<size_t>(n));
        }
        if (ok && !blackhole_) ok = flush(p);
        if (!ok) dead.push_back(i);
      }
      for (auto it = dead.rbegin(); it != dead.rend(); ++it) {
        ::close(pairs_[*it].client_fd);
        ::close(pairs_[*it].server_fd);
        pairs_.erase(pairs_.begin() + static_cast<long>(*it));
      }
    }
  }

  int target_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false}, cut_{false}, blackhole_{false}, refuse_{false}, hold_{false};
  std::atomic<int> budget_{0};
  std::atomic<int> held_frames_{0};
  std::vector<Pair> pairs_;  // proxy thread only
};

// One server per kind, started on first use and shared by every test of the process that does
// not restart it; nullptr (and why) when that kind cannot run here or did not start.
inline TestServer* shared_server(ServerKind kind, std::string* why) {
  static std::mutex mu;
  static std::map<ServerKind, std::unique_ptr<TestServer>> servers;
  static std::map<ServerKind, std::string> failures;
  std::lock_guard<std::mutex> lock(mu);
  if (failures.count(kind)) {
    *why = failures[kind];
    return nullptr;
  }
  auto& s = servers[kind];
  if (!s) {
    if (std::string u = unavailable(kind); !u.empty()) {
      failures[kind] = u;
      *why = u;
      return nullptr;
    }
    s = std::make_unique<TestServer>(kind);
    if (!s->start()) {
      failures[kind] = std::string("server did not start:\n") + s->log_tail();
      *why = failures[kind];
      s.reset();
      return nullptr;
    }
  }
  return s.get();
}

}  // namespace paddock::client::testing
