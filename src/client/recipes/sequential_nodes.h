#pragma once
// What the recipes share: deadlines, retrying an idempotent call across connection losses,
// creating a path's missing ancestors, and sequential nodes in "protected" mode.
//
// Protected mode (as Apache Curator's): a create whose connection drops before the reply may
// or may not have been applied. Retrying it blindly would leave an orphan sequential node --
// an ephemeral one holds a lock slot for the rest of the session and deadlocks everyone
// behind it. So the node's name starts with "_c_<guid>-", a GUID drawn once per create; after
// a connection loss the retry first lists the parent and adopts the child that carries the
// GUID, and only creates again if there is none. When it gives up (deadline) with the outcome
// still unknown, it deletes the child carrying the GUID in the background (as Curator's
// findAndDeleteProtectedNodeInBackground), so no node is left that nothing would delete.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/client.h"

namespace paddock::client::recipes {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// How long a recipe waits for one call of its own (a create, a read, a delete), connection
// losses and reconnects included, before it gives up with the error.
inline constexpr std::chrono::seconds kCallTimeout{30};

// A deadline `timeout` from now; a negative timeout means none (very far away).
Deadline deadline_after(std::chrono::milliseconds timeout);
std::chrono::milliseconds until(Deadline deadline);

// Asked while waiting: true = give up now (e.g. a cancel() or close() from another thread).
// Empty: never.
using StopPredicate = std::function<bool()>;

// Waits for the connection (at most until the deadline) after a kConnectionLoss. False when
// the session is over (expired, closed, auth failed), the deadline passed or `stop` said so
// (asked every 100 ms).
bool await_reconnect(Client& client, Deadline deadline, const StopPredicate& stop = {});

// Runs `call` (which returns a Result) until it answers anything but kConnectionLoss or the
// deadline passes. Only for calls that are safe to repeat (reads, deletes of one's own node,
// version-checked writes whose second attempt fails harmlessly).
template <typename Call>
auto retry_on_loss(Client& client, Deadline deadline, Call call, const StopPredicate& stop = {})
    -> decltype(call()) {
  while (true) {
    auto r = call();
    if (r.code() != Err::kConnectionLoss) return r;
    if (!await_reconnect(client, deadline, stop)) return r;
  }
}

// A random 128-bit value as 32 hex digits.
std::string random_guid();

// Creates every missing node of `path` (persistent, empty). NodeExists is success.
Result<Empty> ensure_path(Client& client, const std::string& path, Deadline deadline,
                          const StopPredicate& stop = {});

// Creates a sequential node `dir/_c_<guid>-<prefix><seq>` in protected mode (see above),
// creating `dir` first if it is missing. Answers the created path. Gives up (kConnectionLoss)
// at the deadline or when `stop` says so while it waits for the connection.
Result<std::string> protected_create(Client& client, const std::string& dir,
                                     const std::string& prefix, NodeData data, CreateMode mode,
                                     Deadline deadline, const StopPredicate& stop = {});
// The retry half of protected_create: after a create of `dir/<mark><prefix>` ended in a
// connection loss, adopt the child whose name starts with `mark`, or create it again.
Result<std::string> resume_protected_create(Client& client, const std::string& dir,
                                            const std::string& mark, const std::string& prefix,
                                            NodeData data, CreateMode mode, Deadline deadline);

// Deletes, in the background (callbacks on the client's event thread), the children of `dir`
// whose name starts with `mark`; after a connection loss it lists again and retries, until
// none is left or the session ends (then an ephemeral one is gone with it). Returns at once.
void delete_marked_in_background(Client& client, const std::string& dir, const std::string& mark);
// Deletes one's own node `path` in the background, retrying after connection losses until it
// is gone or the session ends. Returns at once.
void delete_in_background(Client& client, const std::string& path);
// Deletes one's own node `path`: retried across connection losses until `deadline`; past it
// (outcome unknown) the delete goes on in the background. True when the node is gone for sure
// (deleted, absent, or its session over), false when the background delete took it over.
bool delete_own_node(Client& client, const std::string& path, Deadline deadline);

// The server's sequence number: the last 10 digits of a sequential node's name (-1 if none).
int64_t sequence_of(const std::string& name);
// The children whose name contains one of `markers`, ordered by sequence number.
std::vector<std::string> sort_by_sequence(const std::vector<std::string>& children,
                                          const std::vector<std::string>& markers);
// "dir" + "/" + "name", without doubling the slash of the root.
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace paddock::client::recipes
