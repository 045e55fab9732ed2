#pragma once
// Asking the pipeline for a snapshot whose tables come in pieces, and putting the pieces
// together: each next piece is asked for from the pipeline thread when the previous one
// arrives, so it waits behind the requests queued meanwhile, and the pipeline never copies
// more than a piece per turn.
#include <chrono>
#include <memory>
#include <optional>

#include "pipeline/client_port.h"

namespace paddock::server {

// Asks `sink` for `what` and calls `done` once with the whole snapshot: the first piece's
// counters and connections, and the tables of every piece (null if the pipeline answered
// null). `done` runs on the pipeline thread, as for RequestSink::request_snapshot. `sink`
// must outlive the request.
void request_whole_snapshot(pipeline::RequestSink& sink, const pipeline::SnapshotRequest& what,
                            pipeline::SnapshotCallback done);

// The same, waited for on the calling thread (an HTTP worker): nullopt if the pipeline did
// not answer within `timeout`; else the snapshot, null if the pipeline answered null. A late
// answer after a timeout is dropped safely.
using WholeSnapshot = std::shared_ptr<const pipeline::ServerSnapshot>;
std::optional<WholeSnapshot> wait_for_whole_snapshot(pipeline::RequestSink& sink,
                                                     const pipeline::SnapshotRequest& what,
                                                     std::chrono::milliseconds timeout);

}  // namespace paddock::server
