#include "shell/line_editor.h"

#include <histedit.h>

#include <cstdio>

namespace paddock::shell {

namespace {
constexpr int kHistorySize = 1000;
}

LineEditor::LineEditor(const char* program, PromptFn prompt, CompleteFn complete)
    : prompt_(std::move(prompt)), complete_(std::move(complete)) {
  el_ = el_init(program, stdin, stdout, stderr);
  hist_ = history_init();
  HistEvent ev;
  history(hist_, &ev, H_SETSIZE, kHistorySize);
  history(hist_, &ev, H_SETUNIQUE, 1);
  el_set(el_, EL_CLIENTDATA, this);
  el_set(el_, EL_EDITOR, "emacs");
  el_set(el_, EL_SIGNAL, 1);  // restore the terminal on signals, follow window resizes
  el_set(el_, EL_PROMPT, &LineEditor::prompt_callback);
  el_set(el_, EL_HIST, history, hist_);
  el_set(el_, EL_ADDFN, "paddock-complete", "Complete a command or znode path",
         &LineEditor::complete_callback);
  el_set(el_, EL_BIND, "^I", "paddock-complete", nullptr);
  el_set(el_, EL_BIND, "^R", "em-inc-search-prev", nullptr);
  el_source(el_, nullptr);  // ~/.editrc, as other editline programs
}

LineEditor::~LineEditor() {
  if (hist_) history_end(hist_);
  if (el_) el_end(el_);
}

const char* LineEditor::prompt_callback(struct editline* el) {
  void* self = nullptr;
  el_get(el, EL_CLIENTDATA, &self);
  auto* editor = static_cast<LineEditor*>(self);
  editor->prompt_text_ = editor->prompt_();
  return editor->prompt_text_.c_str();
}

unsigned char LineEditor::complete_callback(struct editline* el, int) {
  void* self = nullptr;
  el_get(el, EL_CLIENTDATA, &self);
  auto* editor = static_cast<LineEditor*>(self);
  const LineInfo* li = el_line(el);
  std::string_view before(li->buffer, static_cast<size_t>(li->cursor - li->buffer));
  Completion c = editor->complete_(before);
  if (!c.insert.empty()) {
    el_insertstr(el, c.insert.c_str());
    return CC_REFRESH;
  }
  if (c.matches.empty()) return CC_ERROR;  // beeps
  // Several matches and nothing more in common: list them under the line, then redraw it.
  std::string list = "\n";
  for (const auto& m : c.matches) list += m + "  ";
  list += "\n";
  std::fputs(list.c_str(), stdout);
  std::fflush(stdout);
  return CC_REDISPLAY;
}

std::optional<std::string> LineEditor::read_line() {
  int count = 0;
  const char* line = el_gets(el_, &count);
  if (line == nullptr || count <= 0) return std::nullopt;
  std::string s(line, static_cast<size_t>(count));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

void LineEditor::add_history(const std::string& line) {
  HistEvent ev;
  history(hist_, &ev, H_ENTER, line.c_str());
}

}  // namespace paddock::shell
