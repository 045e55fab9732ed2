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

TEST(LogWeights, AnUpperBoundFromTheMarksAroundTheRange) {
  LogWeights w(/*every=*/10);
  for (int64_t z = 5; z <= 104; ++z) w.appended(z, 100);  // first 5, marks at 14, 24, ..., 104
  // (14, 104]: exactly 90 records between two marks.
  EXPECT_EQ(w.at_most(14, 104), 9000u);
  // (15, 95]: 80 records; the marks around it are 14 and 104.
  EXPECT_EQ(w.at_most(15, 95), 9000u);
  // (5, 10]: 5 records, between the first record counted (a mark of its own) and mark 14.
  EXPECT_EQ(w.at_most(5, 10), 900u);
  for (int64_t a = 5; a <= 104; a += 3) {
    for (int64_t b = a; b <= 104; b += 7) {
      const uint64_t inside = static_cast<uint64_t>(b - a) * 100;
      ASSERT_TRUE(w.at_most(a, b).has_value()) << a << " " << b;
      EXPECT_GE(*w.at_most(a, b), inside) << a << " " << b;
      EXPECT_LE(*w.at_most(a, b), inside + 2 * 10 * 100) << a << " " << b;  // two marks apart
    }
  }
}

TEST(LogWeights, NoUpperBoundForRecordsThatWereNotCounted) {
  LogWeights w(/*every=*/10);
  EXPECT_FALSE(w.at_most(0, 10).has_value());  // nothing counted yet
  for (int64_t z = 50; z <= 100; ++z) w.appended(z, 100);
  EXPECT_FALSE(w.at_most(10, 60).has_value());   // records before 50 may be in the log
  EXPECT_FALSE(w.at_most(49, 60).has_value());   // 49 itself was never counted
  EXPECT_FALSE(w.at_most(60, 101).has_value());  // past the last record counted
  EXPECT_EQ(w.at_most(60, 60), 0u);
  w.clear();
  EXPECT_FALSE(w.at_most(60, 70).has_value());
}

TEST(LogWeights, TheUpperBoundHoldsAfterTheOlderMarksAreDropped) {
  LogWeights w(1, /*max_marks=*/8);
  for (int64_t z = 1; z <= 30; ++z) w.appended(z, 10);
  ASSERT_LE(w.marks(), 8u);
  // The marks left lie near 30; a range from the far past is bounded from the first record.
  EXPECT_EQ(w.at_most(1, 30), 290u);
  EXPECT_GE(*w.at_most(3, 10), 70u);
  EXPECT_EQ(w.at_most(28, 30), 20u);
}

}  // namespace
}  // namespace paddock::durable
