#include "server/snapshot_pieces.h"

#include <future>
#include <memory>
#include <utility>

namespace paddock::server {
namespace {

// One request in flight: what was asked, what has arrived so far, who gets the whole.
struct PieceCollector : std::enable_shared_from_this<PieceCollector> {
  PieceCollector(pipeline::RequestSink& s, pipeline::SnapshotRequest w,
                 pipeline::SnapshotCallback d)
      : sink(s), what(std::move(w)), done(std::move(d)) {}

  void ask() {
    sink.request_snapshot(
        what, [self = shared_from_this()](std::shared_ptr<const pipeline::ServerSnapshot> piece) {
          self->arrived(std::move(piece));
        });
  }

  void arrived(std::shared_ptr<const pipeline::ServerSnapshot> piece) {
    if (piece == nullptr) {
      done(nullptr);
      return;
    }
    if (whole == nullptr && piece->complete) {  // the common case: one piece, no copy
      done(std::move(piece));
      return;
    }
    if (whole == nullptr) {
      whole = std::make_shared<pipeline::ServerSnapshot>(*piece);
    } else {
      append(whole->sessions, piece->sessions);
      append(whole->ephemerals, piece->ephemerals);
      append(whole->watches, piece->watches);
    }
    if (piece->complete) {
      whole->complete = true;
      done(std::move(whole));
      return;
    }
    what.from = piece->next;
    ask();
  }

  template <typename T>
  static void append(std::vector<T>& into, const std::vector<T>& more) {
    into.insert(into.end(), more.begin(), more.end());
  }

  pipeline::RequestSink& sink;
  pipeline::SnapshotRequest what;
  pipeline::SnapshotCallback done;
  std::shared_ptr<pipeline::ServerSnapshot> whole;
};

}  // namespace

void request_whole_snapshot(pipeline::RequestSink& sink, const pipeline::SnapshotRequest& what,
                            pipeline::SnapshotCallback done) {
  std::make_shared<PieceCollector>(sink, what, std::move(done))->ask();
}

std::optional<WholeSnapshot> wait_for_whole_snapshot(pipeline::RequestSink& sink,
                                                     const pipeline::SnapshotRequest& what,
                                                     std::chrono::milliseconds timeout) {
  // The callback may run after a timed-out wait has returned: it owns the promise.
  auto answer = std::make_shared<std::promise<WholeSnapshot>>();
  auto future = answer->get_future();
  request_whole_snapshot(sink, what,
                         [answer](WholeSnapshot snap) { answer->set_value(std::move(snap)); });
  if (future.wait_for(timeout) != std::future_status::ready) return std::nullopt;
  return future.get();
}

}  // namespace paddock::server
