#include "server/prometheus_text.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

namespace paddock::server {
namespace {

bool name_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::kGauge: return "gauge";
    case MetricType::kCounter: return "counter";
    case MetricType::kSummary: return "summary";
    case MetricType::kInfo: break;
  }
  return "untyped";
}

void write_summary(PrometheusTextWriter& w, const std::string& name, const SummaryValue& s) {
  const ValueHistogram& h = s.histogram;
  for (double q : prometheus_quantiles(s.detail)) {
    // An empty summary has no quantiles: NaN, as Prometheus client libraries write it.
    const double value = h.count() == 0 ? std::nan("") : static_cast<double>(h.quantile(q));
    w.sample(name, {{"quantile", prometheus_number(q)}}, value);
  }
  w.sample(name + "_count", {}, static_cast<double>(h.count()));
  w.sample(name + "_sum", {}, static_cast<double>(h.sum()));
}

}  // namespace

std::string prometheus_name(std::string_view name) {
  std::string out(name.empty() ? "_" : name);
  for (size_t i = 0; i < out.size(); ++i) {
    if (!name_char(out[i], i == 0)) out[i] = '_';
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string prometheus_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);  // shortest form that reads back exactly
}

void PrometheusTextWriter::family(std::string_view name, std::string_view type,
                                  std::string_view help) {
  const std::string n = prometheus_name(name);
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", n, escape_help(help),
                 n, type);
}

void PrometheusTextWriter::sample(std::string_view name, const PrometheusLabels& labels,
                                  double value) {
  out_ += prometheus_name(name);
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out_ += ',';
      fmt::format_to(std::back_inserter(out_), "{}=\"{}\"", prometheus_name(labels[i].first),
                     escape_label_value(labels[i].second));
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += prometheus_number(value);
  out_ += '\n';
}

std::string to_prometheus_text(const std::vector<Metric>& metrics) {
  PrometheusTextWriter w;
  for (const Metric& m : metrics) {
    if (m.type == MetricType::kInfo) continue;
    w.family(m.name, type_name(m.type), m.help);
    if (const auto* s = std::get_if<SummaryValue>(&m.value)) {
      write_summary(w, m.name, *s);
    } else if (const auto* i = std::get_if<int64_t>(&m.value)) {
      w.sample(m.name, {}, static_cast<double>(*i));
    } else if (const auto* d = std::get_if<double>(&m.value)) {
      w.sample(m.name, {}, *d);
    }
  }
  return w.take();
}

}  // namespace paddock::server
