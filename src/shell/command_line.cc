#include "shell/command_line.h"

#include <cctype>
#include <charconv>

namespace paddock::shell {

namespace {

bool is_blank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

const OptionSpec* find_spec(const std::vector<OptionSpec>& specs, char c) {
  for (const auto& s : specs) {
    if (s.letter == c) return &s;
  }
  return nullptr;
}

// commons-cli takes "-5" as a value (a negative number), not as an option.
bool is_negative_number(std::string_view w) {
  if (w.size() < 2 || w[0] != '-') return false;
  for (size_t i = 1; i < w.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(w[i])) && w[i] != '.') return false;
  }
  return true;
}

std::string unrecognized(const std::string& word) {
  return "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: " + word;
}

std::string missing_argument(char c) {
  return std::string(
             "org.apache.commons.cli.MissingArgumentException: Missing argument for option: ") +
         c;
}

}  // namespace

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  const size_t n = line.size();
  while (i < n) {
    while (i < n && is_blank(line[i])) ++i;
    if (i >= n) break;
    char c = line[i];
    if (c == '"' || c == '\'') {
      size_t close = line.find(c, i + 1);
      if (close == std::string_view::npos) {
        ++i;  // no closing quote: zkCli's pattern finds the next word after the quote
        continue;
      }
      words.emplace_back(line.substr(i + 1, close - i - 1));
      i = close + 1;
      continue;
    }
    size_t end = i;
    while (end < n && !is_blank(line[end])) ++end;
    words.emplace_back(line.substr(i, end - i));  // quotes inside a word stay, as in zkCli
    i = end;
  }
  return words;
}

std::optional<ParsedArgs> parse_options(const std::vector<std::string>& words,
                                        const std::vector<OptionSpec>& specs, std::string* error) {
  ParsedArgs out;
  if (words.empty()) return out;
  out.args.push_back(words[0]);
  bool options_done = false;
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (options_done || w.size() < 2 || w[0] != '-') {
      out.args.push_back(w);
      continue;
    }
    if (w == "--") {
      options_done = true;
      continue;
    }
    if (w[1] == '-') {  // no command has long options
      *error = unrecognized(w);
      return std::nullopt;
    }
    // "-x", "-xVALUE" or bundled flags "-xyz".
    for (size_t k = 1; k < w.size(); ++k) {
      const OptionSpec* spec = find_spec(specs, w[k]);
      if (spec == nullptr) {
        *error = unrecognized(w);
        return std::nullopt;
      }
      if (!spec->takes_value) {
        out.options[spec->letter] = "";
        continue;
      }
      if (k + 1 < w.size()) {
        out.options[spec->letter] = w.substr(k + 1);
      } else if (i + 1 < words.size() && (words[i + 1].empty() || words[i + 1][0] != '-' ||
                                          is_negative_number(words[i + 1]))) {
        out.options[spec->letter] = words[++i];
      } else {
        *error = missing_argument(spec->letter);
        return std::nullopt;
      }
      break;
    }
  }
  return out;
}

std::optional<ShellArgs> parse_shell_args(const std::vector<std::string>& argv,
                                          std::string* error) {
  ShellArgs out;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto need_value = [&]() -> const std::string* {
      if (i + 1 >= argv.size()) {
        *error = "Error: no argument found for option " + a;
        return nullptr;
      }
      return &argv[++i];
    };
    if (a == "-server") {
      const std::string* v = need_value();
      if (v == nullptr) return std::nullopt;
      out.server = *v;
    } else if (a == "-timeout") {
      const std::string* v = need_value();
      if (v == nullptr) return std::nullopt;
      int ms = 0;
      auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), ms);
      if (ec != std::errc() || p != v->data() + v->size() || ms <= 0) {
        *error = "Error: -timeout needs a positive number of milliseconds, not " + *v;
        return std::nullopt;
      }
      out.timeout_ms = ms;
    } else if (a == "-r") {
      out.read_only = true;
    } else if (a == "--json" || a == "-json") {
      out.json = true;
    } else if (a == "-h" || a == "--help") {
      out.help = true;
    } else if (!a.empty() && a[0] == '-') {
      *error = "Error: unknown option " + a;
      return std::nullopt;
    } else {
      out.command.assign(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
      break;
    }
  }
  return out;
}

}  // namespace paddock::shell
