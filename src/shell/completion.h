#pragma once
// Tab completion as zkCli's JLineZNodeCompleter does it: the first word completes to a
// command name, a word starting with '/' to a znode path (the children of the path up to
// its last '/'). Pure: the children come from a function the caller gives.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::shell {

struct Completion {
  // Text to insert at the cursor (the rest of the only match, or of the longest common
  // prefix of several; a completed command gets a trailing blank).
  std::string insert;
  // Every match (whole words), sorted, when there is more than one.
  std::vector<std::string> matches;
};

using ChildLister = std::function<std::vector<std::string>(const std::string& path)>;

// `line` is the text before the cursor.
Completion complete(std::string_view line, const std::vector<std::string>& commands,
                    const ChildLister& children);

}  // namespace paddock::shell
