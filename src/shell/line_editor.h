#pragma once
// Line editing for the interactive shell with libedit (BSD editline, Debian libedit-dev):
// emacs key bindings, in-memory history (up/down, Ctrl-R), tab completion through a
// completer function (completion.h). The only part of the shell that needs a terminal.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "shell/completion.h"

struct editline;
struct history;

namespace paddock::shell {

class LineEditor {
 public:
  using PromptFn = std::function<std::string()>;
  using CompleteFn = std::function<Completion(std::string_view before_cursor)>;

  LineEditor(const char* program, PromptFn prompt, CompleteFn complete);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // The next line without its line end; nullopt at end of input (Ctrl-D on an empty line).
  std::optional<std::string> read_line();
  void add_history(const std::string& line);

 private:
  static const char* prompt_callback(struct editline* el);
  static unsigned char complete_callback(struct editline* el, int ch);

  PromptFn prompt_;
  CompleteFn complete_;
  std::string prompt_text_;  // what prompt_callback returned last (must outlive the call)
  struct editline* el_ = nullptr;
  struct history* hist_ = nullptr;
};

}  // namespace paddock::shell
