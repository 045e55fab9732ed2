#pragma once
// A reader for java.util.Properties text, the syntax of zoo.cfg. ZooKeeper loads its config
// with Properties.load, so Paddock accepts exactly that syntax: `key=value`, `key: value` and
// `key value`; `#` and `!` comment lines; backslash escapes (\t \n \r \f \uXXXX, any other
// escaped character stands for itself); a line ending in an odd number of backslashes
// continues on the next line, whose leading blanks are dropped. Bytes are kept as they are
// (Java would read the file as ISO-8859-1; Paddock treats it as UTF-8, which only differs
// for non-ASCII text), and \uXXXX escapes are written as UTF-8.
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace paddock::config {

struct PropertyLine {
  std::string key;    // unescaped, as Properties.load returns it (not trimmed further)
  std::string value;  // unescaped; leading blanks dropped, trailing blanks kept (as Java)
  int line = 0;       // 1-based number of the physical line where the logical line starts
};

// Every key/value pair in file order; a later duplicate key does not replace the earlier
// entry here (callers decide; Properties keeps the last). Fails only on a malformed \uXXXX
// escape, naming `source_name` and the line.
Result<std::vector<PropertyLine>> parse_java_properties(std::string_view text,
                                                        std::string_view source_name);

}  // namespace paddock::config
