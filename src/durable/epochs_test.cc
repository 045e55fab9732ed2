#include "durable/epochs.h"

#include <gtest/gtest.h>

#include "storage/fault_injecting_env.h"

namespace paddock::durable {
namespace {

class EpochsTest : public ::testing::Test {
 protected:
  storage::FaultInjectingEnv env_;
  std::string dir_ = "/data/paddock-snap";
};

TEST_F(EpochsTest, MissingFilesAreDerivedFromTheLastZxidAndWritten) {
  auto epochs = load_epochs(env_, dir_, (int64_t{7} << 32) | 12);
  ASSERT_TRUE(epochs.is_ok()) << epochs.error();
  EXPECT_EQ(epochs->current, 7);
  EXPECT_EQ(epochs->accepted, 7);
  EXPECT_EQ(*env_.read_file(dir_ + "/currentEpoch"), "7");
  EXPECT_EQ(*env_.read_file(dir_ + "/acceptedEpoch"), "7");
}

TEST_F(EpochsTest, FilesAreWrittenAsZooKeeperWritesThemAndReadBack) {
  ASSERT_TRUE(write_epoch_file(env_, dir_, kAcceptedEpochFile, 12));
  ASSERT_TRUE(write_epoch_file(env_, dir_, kCurrentEpochFile, 11));
  EXPECT_EQ(*env_.read_file(dir_ + "/acceptedEpoch"), "12");  // decimal, no newline
  EXPECT_FALSE(env_.file_exists(dir_ + "/acceptedEpoch.tmp"));
  auto epochs = load_epochs(env_, dir_, int64_t{3} << 32);
  ASSERT_TRUE(epochs.is_ok());
  EXPECT_EQ(epochs->accepted, 12);
  EXPECT_EQ(epochs->current, 11);
}

TEST_F(EpochsTest, AcceptedBelowCurrentRefusesToStart) {
  ASSERT_TRUE(write_epoch_file(env_, dir_, kAcceptedEpochFile, 3));
  ASSERT_TRUE(write_epoch_file(env_, dir_, kCurrentEpochFile, 4));
  auto epochs = load_epochs(env_, dir_, 0);
  ASSERT_FALSE(epochs.is_ok());
  EXPECT_NE(epochs.error().find("below currentEpoch"), std::string::npos);
}

TEST_F(EpochsTest, AFileThatIsNotANumberIsNamedInTheError) {
  ASSERT_TRUE(env_.create_dirs(dir_));
  auto f = env_.open_writable(dir_ + "/currentEpoch", storage::OpenMode::kCreateNew);
  ASSERT_TRUE(f.is_ok());
  ASSERT_TRUE((*f)->append("seven\n"));
  ASSERT_TRUE((*f)->close());
  auto epochs = load_epochs(env_, dir_, 0);
  ASSERT_FALSE(epochs.is_ok());
  EXPECT_NE(epochs.error().find("currentEpoch"), std::string::npos);
}

}  // namespace
}  // namespace paddock::durable
