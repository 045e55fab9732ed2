#pragma once
// The console's views of what the pipeline reports (pipeline/server_snapshot.h): the
// server's role and figures, the metric samples, and the connections and sessions with
// their watches. Pure: built from a snapshot, so the tests feed made-up ones.
#include <cstddef>
#include <vector>

#include "console/metric_series.h"
#include "console/node_json.h"
#include "pipeline/server_snapshot.h"

namespace paddock::console {

// Mode, server id, version, zxid, and an ensemble member's quorum figures (leader id,
// epoch, peer state, synced learners); "quorum" is null when standalone.
Json role_json(const pipeline::ServerSnapshot& s);

Json samples_json(const std::vector<MetricSample>& samples);

struct SessionListLimits {
  size_t max_connections = 1000;
  size_t max_sessions = 1000;
  size_t max_watches_per_session = 100;
};
// Every connection (with the paths its session watches) and every session; past a limit
// the list is cut and "truncated" says so, with the full counts beside it.
Json sessions_json(const pipeline::ServerSnapshot& s, const SessionListLimits& limits);

}  // namespace paddock::console
