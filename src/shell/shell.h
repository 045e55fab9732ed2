#pragma once
// The shell's commands over one client session, as zkCli.sh (ZooKeeperMain, 3.8) runs them:
// what each prints on standard output and standard error, the exit status of each, the
// watch events (WATCHER:: lines), history and redo. No terminal here: the line editor
// (line_editor.h) and the process's main loop (run_shell in shell_main.h) feed it lines.
//
// Output goes through `Output`, which the watch callbacks (on the client's event thread)
// also use, so implementations must be thread-safe. With `json`, every command prints one
// JSON object on one line instead of zkCli's text, and every watch event one too.
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "client/client.h"
#include "shell/command_line.h"
#include "shell/watch_mirror.h"

namespace paddock::shell {

enum class Stream { kOut, kErr };

class Output {
 public:
  virtual ~Output() = default;
  virtual void write(Stream stream, const std::string& text) = 0;
};

struct ShellConfig {
  std::string server = "localhost:2181";
  std::chrono::milliseconds session_timeout{30000};
  bool json = false;
};

// Exit statuses (zkCli's ExitCode values where it has one).
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitCommandNotFound = 127;

struct WatchPrinter;
class QuotaRecord;

class Shell {
 public:
  Shell(ShellConfig config, Output& output);
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Opens a session to `server` (closing the current one), as zkCli's connect.
  void connect(const std::string& server);
  // Waits until the session is connected (and its SyncConnected event printed).
  bool wait_connected(std::chrono::milliseconds timeout);

  // One line typed or read: split into words, kept in the history, run. Empty lines are
  // ignored (status 0, not in the history).
  int execute_line(const std::string& line);
  // Runs one command given as words (the one-shot mode's command line).
  int execute(const std::vector<std::string>& words);

  bool quit_requested() const { return quit_; }
  // The status of the last command run (zkCli exits with it).
  int exit_code() const { return exit_code_; }
  // "[zk: host:port(CONNECTED) 3] "
  std::string prompt() const;
  // The children of `path` for tab completion; empty on any error, prints nothing. Asks only
  // while connected, and waits at most kCompletionWait: a Tab never blocks the line.
  static constexpr std::chrono::milliseconds kCompletionWait{1000};
  std::vector<std::string> children_for_completion(const std::string& path);

 private:
  using Handler = int (Shell::*)(const ParsedArgs&);
  struct Entry {
    const char* name;
    Handler handler;
  };
  static const std::vector<Entry>& handlers();

  int process(const std::vector<std::string>& words);
  int dispatch(const std::vector<std::string>& words);
  bool connected_alive() const;
  void close_session();
  void begin_command(const std::vector<std::string>& words);
  void end_command(int status);

  // What a command prints, collected and written when it ends (text or JSON).
  void out(const std::string& text) { chunks_.emplace_back(Stream::kOut, text); }
  void err(const std::string& text) { chunks_.emplace_back(Stream::kErr, text); }
  int fail(client::Err code, const std::string& path);
  int fail_message(const std::string& message);
  // Java's path check: false (and the message printed) if `path` is not a valid path.
  bool check_path(const std::string& path, bool sequential = false);
  // The shell's watcher (prints an event once, see watch_mirror.h), and a completion that
  // records in the mirror the watch a successful call registered.
  client::Watcher watcher();
  template <typename T>
  client::Callback<T> noting(client::Callback<T> cb, bool watch, WatchMirror::Kind kind,
                             const std::string& path);

  // Runs a callback-form client call and waits for it. The callback runs on the event
  // thread after every watch event that arrived before the reply, so those are printed
  // before the command's own output. `bound` (if set) replaces the default bound on the wait.
  template <typename T, typename Start>
  client::Result<T> call(Start&& start,
                         std::optional<std::chrono::milliseconds> bound = std::nullopt);

  // Commands (shell_nodes.cc, shell_admin.cc, shell_quota.cc).
  int cmd_ls(const ParsedArgs& a);
  int cmd_create(const ParsedArgs& a);
  int cmd_get(const ParsedArgs& a);
  int cmd_set(const ParsedArgs& a);
  int cmd_delete(const ParsedArgs& a);
  int cmd_deleteall(const ParsedArgs& a);
  int cmd_stat(const ParsedArgs& a);
  int cmd_sync(const ParsedArgs& a);
  int cmd_get_ephemerals(const ParsedArgs& a);
  int cmd_get_all_children_number(const ParsedArgs& a);
  int cmd_get_acl(const ParsedArgs& a);
  int cmd_set_acl(const ParsedArgs& a);
  int cmd_addauth(const ParsedArgs& a);
  int cmd_whoami(const ParsedArgs& a);
  int cmd_config(const ParsedArgs& a);
  int cmd_add_watch(const ParsedArgs& a);
  int cmd_remove_watches(const ParsedArgs& a);
  int cmd_setquota(const ParsedArgs& a);
  int cmd_listquota(const ParsedArgs& a);
  int cmd_delquota(const ParsedArgs& a);
  int cmd_close(const ParsedArgs& a);
  int cmd_connect(const ParsedArgs& a);
  int cmd_history(const ParsedArgs& a);
  int cmd_redo(const ParsedArgs& a);
  int cmd_printwatches(const ParsedArgs& a);
  int cmd_quit(const ParsedArgs& a);

  // Helpers shared by commands.
  // ZKUtil.visitSubTreeDFS: `visit` is called for each node as it is reached. False after
  // an error was reported (the nodes reached before it were visited).
  bool visit_subtree(const std::string& root, bool watch,
                     const std::function<void(const std::string&)>& visit);
  int deleteall(const std::string& path, int batch);
  bool quota_tree_checks(const std::string& path);
  int write_quota(const std::string& path, const QuotaRecord& quota, QuotaRecord* limits);
  void warn_over_quota(const std::string& path, const QuotaRecord& limits);

  ShellConfig config_;
  Output& output_;
  std::string host_;
  std::unique_ptr<client::Client> client_;
  std::shared_ptr<WatchPrinter> watches_;  // shared with the callbacks of client_
  bool print_watches_ = true;

  std::vector<std::string> history_;  // index = command number
  int command_count_ = 0;
  int exit_code_ = kExitOk;
  bool quit_ = false;
  int redo_depth_ = 0;

  // The command being run.
  std::vector<std::pair<Stream, std::string>> chunks_;
  nlohmann::json result_;
};

template <typename T, typename Start>
client::Result<T> Shell::call(Start&& start, std::optional<std::chrono::milliseconds> bound) {
  auto done = std::make_shared<std::promise<client::Result<T>>>();
  auto f = done->get_future();
  client::Callback<T> cb = [done](client::Result<T> r) { done->set_value(std::move(r)); };
  start(std::move(cb));
  // The library completes every call (with ConnectionLoss or SessionExpired at worst); the
  // bound only keeps a wedged session from hanging the shell forever.
  auto wait = bound ? *bound
                    : std::chrono::duration_cast<std::chrono::milliseconds>(
                          config_.session_timeout * 2 + std::chrono::seconds(5));
  if (f.wait_for(wait) != std::future_status::ready) {
    return client::Result<T>(client::Err::kOperationTimeout, "");
  }
  return f.get();
}

}  // namespace paddock::shell
