#include "config/jaas_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace paddock::config {
namespace {

struct Token {
  enum Kind { kWord, kQuoted, kPunct, kEnd } kind = kEnd;
  std::string text;
  int line = 0;
};

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("._$-*/:@+~%,[]").find(c) != std::string_view::npos ||
         static_cast<unsigned char>(c) >= 128;
}

class Lexer {
 public:
  Lexer(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Result<Token> next() {
    if (Status s = skip_space_and_comments(); !s) return s;
    Token t;
    t.line = line_;
    if (pos_ >= text_.size()) return t;
    const char c = text_[pos_];
    if (c == '{' || c == '}' || c == ';' || c == '=') {
      ++pos_;
      t.kind = Token::kPunct;
      t.text = std::string(1, c);
      return t;
    }
    if (c == '"') return quoted();
    if (!is_word_char(c)) {
      return Status::error(fmt::format("{}:{}: unexpected character '{}'", source_, line_, c));
    }
    t.kind = Token::kWord;
    while (pos_ < text_.size() && is_word_char(text_[pos_])) t.text += text_[pos_++];
    return t;
  }

 private:
  Status skip_space_and_comments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
        ++pos_;
      } else if (text_.substr(pos_, 2) == "//") {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (text_.substr(pos_, 2) == "/*") {
        const int start = line_;
        size_t end = text_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) {
          return Status::error(
              fmt::format("{}:{}: comment opened with /* is never closed", source_, start));
        }
        line_ += static_cast<int>(std::count(text_.begin() + static_cast<ptrdiff_t>(pos_),
                                             text_.begin() + static_cast<ptrdiff_t>(end), '\n'));
        pos_ = end + 2;
      } else {
        break;
      }
    }
    return Status::ok();
  }

  Result<Token> quoted() {
    Token t;
    t.kind = Token::kQuoted;
    t.line = line_;
    ++pos_;  // the opening quote
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\n') {
        return Status::error(
            fmt::format("{}:{}: quoted value is not closed on its line", source_, t.line));
      }
      if (c == '\\' && pos_ < text_.size()) c = unescape();
      t.text += c;
    }
    if (pos_ >= text_.size()) {
      return Status::error(fmt::format("{}:{}: quoted value is not closed", source_, t.line));
    }
    ++pos_;  // the closing quote
    return t;
  }

  // After a backslash in quotes, as java.io.StreamTokenizer (Java's ConfigFile) reads it:
  // \a \b \f \n \r \t \v, up to three octal digits (a value above 0377 takes two), and
  // any other character as itself -- so "C:\temp" holds a tab, as ZooKeeper sees it.
  char unescape() {
    const char c = text_[pos_++];
    switch (c) {
      case 'a':
        return '\a';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return '\v';
      default:
        break;
    }
    if (c < '0' || c > '7') return c;
    int value = c - '0';
    const size_t max_digits = c <= '3' ? 3 : 2;
    for (size_t digits = 1;
         digits < max_digits && pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '7';
         ++digits) {
      value = value * 8 + (text_[pos_++] - '0');
    }
    return static_cast<char>(value);
  }

  std::string_view text_;
  std::string_view source_;
  size_t pos_ = 0;
  int line_ = 1;
};

class Parser {
 public:
  Parser(std::string_view text, std::string_view source,
         const std::map<std::string, std::string>& props)
      : lexer_(text, source), source_(source), props_(props) {}

  Result<JaasFile> parse() {
    JaasFile file;
    file.source = std::string(source_);
    if (Status s = advance(); !s) return s;
    while (tok_.kind != Token::kEnd) {
      Result<JaasSection> section = parse_section();
      if (!section) return section.status();
      if (file.find(section->name) != nullptr) {
        return error(section->line, fmt::format("section '{}' appears twice", section->name));
      }
      file.sections.push_back(std::move(*section));
    }
    return file;
  }

 private:
  Status advance() {
    Result<Token> t = lexer_.next();
    if (!t) return t.status();
    tok_ = std::move(*t);
    return Status::ok();
  }
  Status error(int line, std::string_view what) const {
    return Status::error(fmt::format("{}:{}: {}", source_, line, what));
  }
  std::string describe() const {
    if (tok_.kind == Token::kEnd) return "end of file";
    if (tok_.kind == Token::kQuoted) return fmt::format("\"{}\"", tok_.text);
    return fmt::format("'{}'", tok_.text);
  }
  Status expect_punct(char c, std::string_view context) {
    if (tok_.kind != Token::kPunct || tok_.text[0] != c) {
      return error(tok_.line, fmt::format("expected '{}' {}, found {}", c, context, describe()));
    }
    return advance();
  }

  Result<JaasSection> parse_section() {
    JaasSection section;
    section.line = tok_.line;
    if (tok_.kind != Token::kWord && tok_.kind != Token::kQuoted) {
      return error(tok_.line, fmt::format("expected a section name, found {}", describe()));
    }
    section.name = tok_.text;
    if (Status s = advance(); !s) return s;
    if (Status s = expect_punct('{', "after section name '" + section.name + "'"); !s) return s;
    while (!(tok_.kind == Token::kPunct && tok_.text == "}")) {
      if (tok_.kind == Token::kEnd) {
        return error(section.line, fmt::format("section '{}' is not closed with '}};'",
                                               section.name));
      }
      Result<JaasModule> module = parse_module();
      if (!module) return module.status();
      section.modules.push_back(std::move(*module));
    }
    if (Status s = advance(); !s) return s;  // '}'
    if (Status s = expect_punct(';', "after '}' of section '" + section.name + "'"); !s) return s;
    if (section.modules.empty()) {
      return error(section.line, fmt::format("section '{}' has no login module", section.name));
    }
    return section;
  }

  Result<JaasModule> parse_module() {
    JaasModule module;
    module.line = tok_.line;
    if (tok_.kind != Token::kWord) {
      return error(tok_.line, fmt::format("expected a login module class, found {}", describe()));
    }
    module.class_name = tok_.text;
    if (Status s = advance(); !s) return s;
    std::string flag = tok_.kind == Token::kWord ? tok_.text : "";
    std::transform(flag.begin(), flag.end(), flag.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (flag != "required" && flag != "requisite" && flag != "sufficient" && flag != "optional") {
      return error(tok_.line,
                   fmt::format("expected a control flag (required, requisite, sufficient or "
                               "optional) after {}, found {}",
                               module.class_name, describe()));
    }
    module.flag = flag;
    if (Status s = advance(); !s) return s;
    while (!(tok_.kind == Token::kPunct && tok_.text == ";")) {
      if (tok_.kind != Token::kWord) {
        return error(tok_.line,
                     fmt::format("expected an option name or ';' ending the {} entry, found {}",
                                 module.class_name, describe()));
      }
      std::string name = tok_.text;
      const int line = tok_.line;
      if (Status s = advance(); !s) return s;
      if (Status s = expect_punct('=', "after option name '" + name + "'"); !s) return s;
      if (tok_.kind != Token::kWord && tok_.kind != Token::kQuoted) {
        return error(tok_.line, fmt::format("expected a value for option '{}', found {}", name,
                                            describe()));
      }
      Result<std::string> value = expand(tok_.text, line);
      if (!value) return value.status();
      module.options.emplace_back(std::move(name), std::move(*value));
      if (Status s = advance(); !s) return s;
    }
    if (Status s = advance(); !s) return s;  // ';'
    return module;
  }

  // ${name} -> the system property's value.
  Result<std::string> expand(const std::string& value, int line) const {
    std::string out;
    size_t pos = 0;
    while (true) {
      size_t open = value.find("${", pos);
      if (open == std::string::npos) break;
      size_t close = value.find('}', open);
      if (close == std::string::npos) {
        return error(line, fmt::format("'${{' without '}}' in value \"{}\"", value));
      }
      std::string name = value.substr(open + 2, close - open - 2);
      auto it = props_.find(name);
      if (it == props_.end()) {
        return error(line, fmt::format("${{{}}}: no such system property (pass -D{}=...)", name,
                                       name));
      }
      out += value.substr(pos, open - pos);
      out += it->second;
      pos = close + 1;
    }
    out += value.substr(pos);
    return out;
  }

  Lexer lexer_;
  std::string_view source_;
  const std::map<std::string, std::string>& props_;
  Token tok_;
};

}  // namespace

std::optional<std::string> JaasModule::option(std::string_view name) const {
  std::optional<std::string> found;
  for (const auto& [k, v] : options) {
    if (k == name) found = v;
  }
  return found;
}

const JaasSection* JaasFile::find(std::string_view name) const {
  for (const JaasSection& s : sections) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<JaasFile> parse_jaas(std::string_view text, std::string_view source_name,
                            const std::map<std::string, std::string>& system_properties) {
  return Parser(text, source_name, system_properties).parse();
}

Result<JaasFile> load_jaas(const std::string& path,
                           const std::map<std::string, std::string>& system_properties) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error(fmt::format("{}: cannot read JAAS file", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::error(fmt::format("{}: error reading JAAS file", path));
  return parse_jaas(text.str(), path, system_properties);
}

}  // namespace paddock::config
