#include "shell/completion.h"

#include <algorithm>

namespace paddock::shell {

namespace {

Completion from_matches(const std::string& word, std::vector<std::string> matches,
                        const std::string& suffix) {
  Completion c;
  std::sort(matches.begin(), matches.end());
  matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
  if (matches.empty()) return c;
  if (matches.size() == 1) {
    c.insert = matches[0].substr(word.size()) + suffix;
    return c;
  }
  // The longest common prefix of all matches, beyond what is typed.
  std::string prefix = matches[0];
  for (const auto& m : matches) {
    size_t n = 0;
    while (n < prefix.size() && n < m.size() && prefix[n] == m[n]) ++n;
    prefix.resize(n);
  }
  c.insert = prefix.size() > word.size() ? prefix.substr(word.size()) : "";
  c.matches = std::move(matches);
  return c;
}

}  // namespace

Completion complete(std::string_view line, const std::vector<std::string>& commands,
                    const ChildLister& children) {
  size_t start = line.find_last_of(" \t");
  start = start == std::string_view::npos ? 0 : start + 1;
  std::string word(line.substr(start));
  bool first_word = line.substr(0, start).find_first_not_of(" \t") == std::string_view::npos;
  if (first_word) {
    std::vector<std::string> matches;
    for (const auto& c : commands) {
      if (c.rfind(word, 0) == 0) matches.push_back(c);
    }
    return from_matches(word, std::move(matches), " ");
  }
  if (word.empty() || word[0] != '/') return {};
  size_t slash = word.rfind('/');
  std::string dir = slash == 0 ? "/" : word.substr(0, slash);
  std::string stem = word.substr(slash + 1);
  std::string base = slash == 0 ? "/" : dir + "/";
  std::vector<std::string> matches;
  for (const auto& child : children(dir)) {
    if (child.rfind(stem, 0) == 0) matches.push_back(base + child);
  }
  return from_matches(word, std::move(matches), "");
}

}  // namespace paddock::shell
