#include "shell/shell.h"

#include <condition_variable>

#include "proto/path.h"
#include "shell/command_table.h"
#include "shell/formats.h"
#include "shell/shell_internal.h"

namespace paddock::shell {

using client::Err;
using client::KeeperState;
using client::SessionState;
using client::WatchEvent;

Shell::Shell(ShellConfig config, Output& output) : config_(std::move(config)), output_(output) {}

Shell::~Shell() {
  // Leaving without quit (end of input, one-shot command): zkCli exits without closing, so
  // no Closed event is printed.
  if (watches_) {
    std::lock_guard<std::mutex> lock(watches_->mu);
    watches_->print = false;
  }
  if (client_) client_->close();
}

// Closes the session and waits until its Closed event is printed, so that it comes before
// what the next command prints.
void Shell::close_session() {
  if (!client_) return;
  bool alive = connected_alive();  // a dead session (expired, auth failed) gets no Closed
  client_->close();
  if (!alive) return;
  std::unique_lock<std::mutex> lock(watches_->mu);
  watches_->cv.wait_for(lock, std::chrono::seconds(5), [&] { return watches_->closed; });
}

void Shell::connect(const std::string& server) {
  if (client_) {
    close_session();
    client_.reset();
  }
  host_ = server;
  auto printer = std::make_shared<WatchPrinter>(output_, config_.json);
  printer->print = print_watches_;
  watches_ = printer;
  client::ClientOptions opts;
  opts.connect_string = server;
  opts.session_timeout = config_.session_timeout;
  opts.session_watcher = [printer](const WatchEvent& e) {
    std::lock_guard<std::mutex> lock(printer->mu);
    printer->show(e);
    if (e.state == KeeperState::kSyncConnected) printer->synced = true;
    if (e.state == KeeperState::kClosed) printer->closed = true;
    printer->cv.notify_all();
  };
  auto c = client::Client::open(std::move(opts));
  if (!c) {
    output_.write(Stream::kErr, c.status().message() + "\n");
    return;
  }
  client_ = std::move(*c);
}

bool Shell::wait_connected(std::chrono::milliseconds timeout) {
  if (!client_ || !watches_) return false;
  std::unique_lock<std::mutex> lock(watches_->mu);
  return watches_->cv.wait_for(lock, timeout, [&] { return watches_->synced; });
}

bool Shell::connected_alive() const {
  if (!client_) return false;
  SessionState s = client_->state();
  return s == SessionState::kConnecting || s == SessionState::kConnected;
}

std::string Shell::prompt() const {
  const char* state = "CLOSED";
  if (client_) {
    switch (client_->state()) {
      case SessionState::kConnecting:
        state = "CONNECTING";
        break;
      case SessionState::kConnected:
        state = "CONNECTED";
        break;
      case SessionState::kAuthFailed:
        state = "AUTH_FAILED";
        break;
      case SessionState::kExpired:
      case SessionState::kClosed:
        state = "CLOSED";
        break;
    }
  }
  return "[zk: " + host_ + "(" + state + ") " + std::to_string(command_count_) + "] ";
}

std::vector<std::string> Shell::children_for_completion(const std::string& path) {
  // Not while connecting: a request queued then waits for the connection (up to the session
  // timeout and more), and the line editor with it.
  if (!client_ || client_->state() != SessionState::kConnected ||
      proto::validate_path(path, false) != Err::kOk) {
    return {};
  }
  auto r = call<std::vector<std::string>>(
      [&](auto cb) { client_->get_children(path, client::Watcher{}, std::move(cb)); },
      kCompletionWait);
  return r.ok() ? r.value() : std::vector<std::string>{};
}

int Shell::execute_line(const std::string& line) {
  std::vector<std::string> words = split_words(line);
  if (words.empty()) return exit_code_;
  history_.push_back(line);
  begin_command(words);
  int status = process(words);
  end_command(status);
  ++command_count_;
  return status;
}

int Shell::execute(const std::vector<std::string>& words) {
  if (words.empty()) return exit_code_;
  begin_command(words);
  int status = process(words);
  end_command(status);
  return status;
}

void Shell::begin_command(const std::vector<std::string>& words) {
  chunks_.clear();
  result_ = nlohmann::json::object();
  result_["command"] = words[0];
  result_["args"] = std::vector<std::string>(words.begin() + 1, words.end());
}

void Shell::end_command(int status) {
  exit_code_ = status;
  if (!config_.json) {
    for (auto& [stream, text] : chunks_) output_.write(stream, text);
    return;
  }
  result_["ok"] = status == kExitOk;
  result_["status"] = status;
  // Messages a command printed on standard error (warnings, or the error itself).
  std::vector<std::string> messages;
  for (auto& [stream, text] : chunks_) {
    if (stream != Stream::kErr) continue;
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      if (nl > start) messages.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
  }
  if (!messages.empty()) result_["messages"] = messages;
  output_.write(Stream::kOut,
                result_.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

int Shell::fail(Err code, const std::string& path) {
  std::string message = error_message(code, path);
  err(message + "\n");
  result_["error"] = {
      {"code", err_code_name(code)}, {"rc", static_cast<int>(code)}, {"message", message}};
  if (!path.empty()) result_["error"]["path"] = path;
  return kExitFailed;
}

int Shell::fail_message(const std::string& message) {
  err(message + "\n");
  result_["error"] = {{"message", message}};
  return kExitFailed;
}

bool Shell::check_path(const std::string& path, bool sequential) {
  std::string reason;
  if (proto::validate_path(path, sequential, &reason) == Err::kOk) return true;
  fail_message(reason);
  return false;
}

client::Watcher Shell::watcher() {
  std::shared_ptr<WatchPrinter> printer = watches_;
  return [printer](const WatchEvent& e) {
    std::lock_guard<std::mutex> lock(printer->mu);
    if (printer->mirror.deliver(e)) printer->show(e);
  };
}

const std::vector<Shell::Entry>& Shell::handlers() {
  static const std::vector<Entry> table = {
      {"addWatch", &Shell::cmd_add_watch},
      {"addauth", &Shell::cmd_addauth},
      {"close", &Shell::cmd_close},
      {"config", &Shell::cmd_config},
      {"connect", &Shell::cmd_connect},
      {"create", &Shell::cmd_create},
      {"delete", &Shell::cmd_delete},
      {"deleteall", &Shell::cmd_deleteall},
      {"delquota", &Shell::cmd_delquota},
      {"get", &Shell::cmd_get},
      {"getAcl", &Shell::cmd_get_acl},
      {"getAllChildrenNumber", &Shell::cmd_get_all_children_number},
      {"getEphemerals", &Shell::cmd_get_ephemerals},
      {"history", &Shell::cmd_history},
      {"listquota", &Shell::cmd_listquota},
      {"ls", &Shell::cmd_ls},
      {"printwatches", &Shell::cmd_printwatches},
      {"quit", &Shell::cmd_quit},
      {"redo", &Shell::cmd_redo},
      {"removewatches", &Shell::cmd_remove_watches},
      {"set", &Shell::cmd_set},
      {"setAcl", &Shell::cmd_set_acl},
      {"setquota", &Shell::cmd_setquota},
      {"stat", &Shell::cmd_stat},
      {"sync", &Shell::cmd_sync},
      {"whoami", &Shell::cmd_whoami},
  };
  return table;
}

int Shell::process(const std::vector<std::string>& words) {
  const CommandSpec* spec = find_command(words[0]);
  if (spec == nullptr) {
    err(usage_text());
    fail_message("Command not found: Command not found " + words[0]);
    return kExitCommandNotFound;
  }
  return dispatch(words);
}

int Shell::dispatch(const std::vector<std::string>& words) {
  const CommandSpec* spec = find_command(words[0]);
  Handler handler = nullptr;
  for (const Entry& e : handlers()) {
    if (words[0] == e.name) handler = e.handler;
  }
  if (!spec->needs_connection) {
    ParsedArgs raw;
    raw.args = words;
    return (this->*handler)(raw);
  }
  if (!connected_alive()) {
    out("Not connected\n");
    result_["error"] = {{"message", "Not connected"}};
    return kExitFailed;
  }
  std::string error;
  auto parsed = parse_options(words, spec->options, &error);
  if (!parsed) return fail_message(error);
  return (this->*handler)(*parsed);
}

// --- commands without a connection -----------------------------------------------------------

int Shell::cmd_quit(const ParsedArgs&) {
  quit_ = true;
  close_session();    // prints the Closed event, as zkCli's quit
  return exit_code_;  // zkCli exits with the status of the command before quit
}

int Shell::cmd_history(const ParsedArgs&) {
  nlohmann::json entries = nlohmann::json::array();
  for (int i = command_count_ - 10; i <= command_count_; ++i) {
    if (i < 0 || i >= static_cast<int>(history_.size())) continue;
    out(std::to_string(i) + " - " + history_[static_cast<size_t>(i)] + "\n");
    entries.push_back({{"number", i}, {"command", history_[static_cast<size_t>(i)]}});
  }
  result_["history"] = entries;
  return kExitOk;
}

int Shell::cmd_redo(const ParsedArgs& a) {
  if (a.args.size() < 2) return kExitOk;  // zkCli ignores a bare "redo"
  int n = -1;
  try {
    size_t used = 0;
    n = std::stoi(a.args[1], &used, 0);
    if (used != a.args[1].size()) n = -1;
  } catch (const std::exception&) {
    return fail_message("For input string: \"" + a.args[1] + "\"");
  }
  if (n < 0 || n >= command_count_ || static_cast<size_t>(n) >= history_.size()) {
    return fail_message("Command index out of range");
  }
  std::string line = history_[static_cast<size_t>(n)];
  std::vector<std::string> words = split_words(line);
  if (words.empty() || words[0] == "redo") return fail_message("No redoing redos");
  if (!history_.empty() && static_cast<int>(history_.size()) == command_count_ + 1)
    history_.back() = line;
  result_["redo"] = line;
  return process(words);
}

int Shell::cmd_printwatches(const ParsedArgs& a) {
  if (a.args.size() == 1) {
    out(std::string("printwatches is ") + (print_watches_ ? "on" : "off") + "\n");
  } else {
    print_watches_ = a.args[1] == "on";
    if (watches_) {
      std::lock_guard<std::mutex> lock(watches_->mu);
      watches_->print = print_watches_;
    }
  }
  result_["printwatches"] = print_watches_;
  return kExitOk;
}

int Shell::cmd_connect(const ParsedArgs& a) {
  connect(a.args.size() >= 2 ? a.args[1] : host_);
  if (!client_) return kExitFailed;
  // zkCli does not wait; waiting keeps the next command's output after the connect event.
  wait_connected(config_.session_timeout);
  result_["server"] = host_;
  return kExitOk;
}

int Shell::cmd_close(const ParsedArgs&) {
  close_session();
  return kExitOk;
}

}  // namespace paddock::shell
