#include "durable/log_weights.h"

#include <gtest/gtest.h>

namespace paddock::durable {
namespace {

TEST(LogWeights, ALowerBoundFromTheMarksInsideTheRange) {
  LogWeights w(/*every=*/10);
  for (int64_t z = 1; z <= 100; ++z) w.appended(z, 100);  // marks at 10, 20, ..., 100
  // (10, 100]: exactly 90 records.
  EXPECT_EQ(w.at_least(10, 100), 9000u);
  // (5, 100]: 95 records; the marks see (10, 100].
  EXPECT_EQ(w.at_least(5, 100), 9000u);
  // (5, 95]: (10, 90] between marks.
  EXPECT_EQ(w.at_least(5, 95), 8000u);
  // Never more than what is inside.
  for (int64_t a = 0; a < 100; a += 7) {
    for (int64_t b = a; b <= 100; b += 11) {
      EXPECT_LE(w.at_least(a, b), static_cast<uint64_t>(b - a) * 100) << a << " " << b;
    }
  }
  EXPECT_EQ(w.at_least(95, 100), 0u);  // no two marks inside
  EXPECT_EQ(w.at_least(100, 100), 0u);
}

TEST(LogWeights, TheLastRecordIsAMarkOfItsOwn) {
  LogWeights w(1000);
  w.appended(1, 10);
  w.appended(2, 20);
  w.appended(3, 30);
  EXPECT_EQ(w.at_least(0, 3), 0u);  // no mark before the range's first record
  EXPECT_EQ(w.marks(), 0u);
}

TEST(LogWeights, AZxidUsedAgainStartsAfresh) {
  LogWeights w(2);
  for (int64_t z = 1; z <= 10; ++z) w.appended(z, 50);
  EXPECT_EQ(w.at_least(2, 10), 400u);
  w.appended(7, 1);  // the writer cut back to 6 and goes on from 7
  EXPECT_EQ(w.at_least(2, 10), 0u);
  EXPECT_EQ(w.marks(), 0u);
}

TEST(LogWeights, ClearForgetsAndTooManyMarksDropTheOlderHalf) {
  LogWeights w(1, /*max_marks=*/8);
  for (int64_t z = 1; z <= 9; ++z) w.appended(z, 10);
  EXPECT_LE(w.marks(), 8u);
  EXPECT_EQ(w.at_least(0, 9), 40u);  // marks 5..9 left: (5, 9]
  w.clear();
  EXPECT_EQ(w.at_least(0, 9), 0u);
}

}  // namespace
}  // namespace paddock::durable
