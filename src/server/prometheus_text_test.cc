#include "server/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>

namespace paddock::server {
namespace {

TEST(PrometheusTextTest, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_label_value("plain /path"), "plain /path");
}

TEST(PrometheusTextTest, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(escape_help("a\\b\"c\nd"), "a\\\\b\"c\\nd");
}

TEST(PrometheusTextTest, NamesKeepToTheFormatsAlphabet) {
  EXPECT_EQ(prometheus_name("znode_count"), "znode_count");
  EXPECT_EQ(prometheus_name("a:b_c9"), "a:b_c9");
  EXPECT_EQ(prometheus_name("9lives"), "_lives");
  EXPECT_EQ(prometheus_name("with-dash.dot"), "with_dash_dot");
  EXPECT_EQ(prometheus_name(""), "_");
}

TEST(PrometheusTextTest, NumbersUseTheFormatsSpellings) {
  EXPECT_EQ(prometheus_number(42), "42");
  EXPECT_EQ(prometheus_number(0.5), "0.5");
  EXPECT_EQ(prometheus_number(-3), "-3");
  EXPECT_EQ(prometheus_number(std::nan("")), "NaN");
  EXPECT_EQ(prometheus_number(INFINITY), "+Inf");
  EXPECT_EQ(prometheus_number(-INFINITY), "-Inf");
  EXPECT_EQ(prometheus_number(1234567890123.0), "1234567890123");
}

TEST(PrometheusTextTest, WriterPutsHelpAndTypeBeforeSamples) {
  PrometheusTextWriter w;
  w.family("x", "gauge", "An \"x\"\nover two lines");
  w.sample("x", {{"k", "v\"1"}, {"b-ad", "2"}}, 7);
  w.sample("x", {}, 0.25);
  EXPECT_EQ(w.text(),
            "# HELP x An \"x\"\\nover two lines\n"
            "# TYPE x gauge\n"
            "x{k=\"v\\\"1\",b_ad=\"2\"} 7\n"
            "x 0.25\n");
}

Metric gauge(std::string name, int64_t v) {
  return Metric{std::move(name), MetricType::kGauge, "help", v};
}

TEST(PrometheusTextTest, GaugesCountersAndTextMetricsAreTypedOrLeftOut) {
  std::vector<Metric> m = {
      Metric{"version", MetricType::kInfo, "v", std::string("3.8.0")},
      gauge("znode_count", 5),
      Metric{"avg_latency", MetricType::kGauge, "avg", 1.5},
      Metric{"paddock_pipeline_turns_total", MetricType::kCounter, "turns", int64_t{9}},
  };
  EXPECT_EQ(to_prometheus_text(m),
            "# HELP znode_count help\n# TYPE znode_count gauge\nznode_count 5\n"
            "# HELP avg_latency avg\n# TYPE avg_latency gauge\navg_latency 1.5\n"
            "# HELP paddock_pipeline_turns_total turns\n"
            "# TYPE paddock_pipeline_turns_total counter\npaddock_pipeline_turns_total 9\n");
}

TEST(PrometheusTextTest, AdvancedSummariesExportZooKeepersThreeQuantilesSumAndCount) {
  ValueHistogram h;
  for (int v = 1; v <= 100; ++v) h.record(v % 10);  // 0..9, ten times each
  std::vector<Metric> m = {
      Metric{"readlatency", MetricType::kSummary, "reads", SummaryValue{h, SummaryDetail::kAdvanced}}};
  EXPECT_EQ(to_prometheus_text(m),
            "# HELP readlatency reads\n# TYPE readlatency summary\n"
            "readlatency{quantile=\"0.5\"} 4\n"
            "readlatency{quantile=\"0.9\"} 8\n"
            "readlatency{quantile=\"0.99\"} 9\n"
            "readlatency_count 100\n"
            "readlatency_sum 450\n");
}

TEST(PrometheusTextTest, BasicSummariesExportTheMedianOnlyAndNaNWhenEmpty) {
  std::vector<Metric> m = {Metric{"fsynctime", MetricType::kSummary, "fsync",
                                  SummaryValue{ValueHistogram{}, SummaryDetail::kBasic}}};
  EXPECT_EQ(to_prometheus_text(m),
            "# HELP fsynctime fsync\n# TYPE fsynctime summary\n"
            "fsynctime{quantile=\"0.5\"} NaN\n"
            "fsynctime_count 0\n"
            "fsynctime_sum 0\n");
}

}  // namespace
}  // namespace paddock::server
