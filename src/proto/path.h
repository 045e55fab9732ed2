#pragma once
// ZooKeeper's znode path rules (PathUtils.validatePath in 3.8), applied to the UTF-8 bytes a
// client sent, with the same outcome as ZooKeeper's check on the decoded Java string.
#include <string>
#include <string_view>

#include "proto/types.h"

namespace paddock::proto {

// kOk if `path` is a valid znode path, else kBadArguments and, when `reason` is given, the
// message ZooKeeper would log (e.g. "Invalid path string \"/a//b\" caused by empty node name
// specified @3"; "@n" counts UTF-16 units, as Java does).
//
// Rules: non-empty; starts with '/'; "/" alone is valid; no trailing '/'; no empty segment;
// no "." or ".." segment; no NUL; no U+0001-U+001F, U+007F-U+009F, U+D800-U+F8FF (so no
// characters outside the BMP, whose UTF-16 surrogates fall in that range) or U+FFF0-U+FFFF;
// and no malformed UTF-8 (Java decodes it to U+FFFD, which is rejected).
// With `sequential`, the path is checked with a digit appended, since the server appends the
// sequence suffix: "/a/" is then valid.
Err validate_path(std::string_view path, bool sequential, std::string* reason = nullptr);

}  // namespace paddock::proto
