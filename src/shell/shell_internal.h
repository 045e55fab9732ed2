#pragma once
// Shared between the shell's .cc files: the state the client's callbacks share with the
// shell, and the completion wrapper that records registered watches.
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <string>
#include <mutex>

#include "shell/formats.h"
#include "shell/shell.h"
#include "shell/watch_mirror.h"

namespace paddock::shell {

// What the client's callbacks share with the shell: where to print, whether to, and the
// mirror that makes one event print once (watch_mirror.h). One per session.
struct WatchPrinter {
  WatchPrinter(Output& o, bool j) : output(o), json(j) {}
  Output& output;
  const bool json;
  std::mutex mu;
  std::condition_variable cv;
  WatchMirror mirror;
  bool print = true;
  bool synced = false;  // a SyncConnected session event arrived (and was printed)
  bool closed = false;  // the Closed session event arrived (and was printed)

  void show(const client::WatchEvent& e) {  // mu held
    if (!print) return;
    if (json) {
      output.write(Stream::kOut, nlohmann::json{{"event", event_json(e)}}.dump() + "\n");
    } else {
      // ZooKeeperMain.printMessage prints "\n" + message, for both lines.
      output.write(Stream::kOut, "\nWATCHER::\n\n" + event_text(e) + "\n");
    }
  }
};

// Java's Long.parseLong / Integer.parseInt: the whole string, a number that fits in T (a
// value outside T's range is refused, as Java refuses it, never wrapped).
template <typename T>
bool parse_number(const std::string& s, T* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}
inline bool parse_long(const std::string& s, int64_t* out) { return parse_number(s, out); }
// A znode version (-v of set, delete, setAcl): an int, as Integer.parseInt takes it.
inline bool parse_version(const std::string& s, int32_t* out) { return parse_number(s, out); }

template <typename T>
client::Callback<T> Shell::noting(client::Callback<T> cb, bool watch, WatchMirror::Kind kind,
                                  const std::string& path) {
  if (!watch) return cb;
  std::shared_ptr<WatchPrinter> printer = watches_;
  return [printer, cb = std::move(cb), kind, path](client::Result<T> r) {
    if (r.ok()) {
      std::lock_guard<std::mutex> lock(printer->mu);
      printer->mirror.add(kind, path);
    }
    cb(std::move(r));
  };
}

}  // namespace paddock::shell
