#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "storage/fault_injecting_env.h"
#include "storage/posix_env.h"

namespace paddock::storage {
namespace {

using Op = FaultInjectingEnv::Op;

std::unique_ptr<WritableFile> create(Env& env, const std::string& path) {
  auto f = env.open_writable(path, OpenMode::kCreateNew);
  EXPECT_TRUE(f.is_ok()) << (f ? "" : f.error());
  return f ? std::move(*f) : nullptr;
}

TEST(FaultInjectingEnv, CrashLosesBytesWrittenAfterTheLastSync) {
  FaultInjectingEnv env;
  ASSERT_TRUE(env.create_dirs("/d"));
  auto f = create(env, "/d/f");
  ASSERT_TRUE(f->append("durable"));
  ASSERT_TRUE(f->sync());
  ASSERT_TRUE(env.sync_dir("/d"));
  ASSERT_TRUE(f->append("-lost"));
  EXPECT_EQ(env.contents("/d/f"), "durable-lost");
  env.crash();
  EXPECT_EQ(env.contents("/d/f"), "durable");
  EXPECT_FALSE(f->append("x")) << "handles opened before a crash must fail";
}

TEST(FaultInjectingEnv, CrashDropsFilesWhoseDirectoryWasNotSynced) {
  FaultInjectingEnv env;
  ASSERT_TRUE(env.create_dirs("/d"));
  auto f = create(env, "/d/f");
  ASSERT_TRUE(f->append("data"));
  ASSERT_TRUE(f->sync());
  env.crash();
  EXPECT_FALSE(env.file_exists("/d/f"));
}

TEST(FaultInjectingEnv, FailsTheNthWriteWithTheInjectedErrorKeepingPartialBytes) {
  FaultInjectingEnv env;
  ASSERT_TRUE(env.create_dirs("/d"));
  auto f = create(env, "/d/f");
  env.inject({.op = Op::kWrite, .nth = 2, .error = ENOSPC, .partial_bytes = 2});
  ASSERT_TRUE(f->append("ab"));
  Status st = f->append("cdef");
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("No space left on device"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("/d/f"), std::string::npos) << st.message();
  EXPECT_EQ(env.contents("/d/f"), "abcd");
  EXPECT_TRUE(f->append("g")) << "a non-sticky fault fires once";
  EXPECT_EQ(env.calls(Op::kWrite), 3u);
}

TEST(FaultInjectingEnv, StickyFaultKeepsFailingUntilCleared) {
  FaultInjectingEnv env;
  ASSERT_TRUE(env.create_dirs("/d"));
  auto f = create(env, "/d/f");
  env.inject({.op = Op::kSync, .nth = 1, .error = EIO, .sticky = true});
  EXPECT_FALSE(f->sync());
  EXPECT_FALSE(f->sync());
  env.clear_faults();
  EXPECT_TRUE(f->sync());
}

TEST(FaultInjectingEnv, SyncAdvancesTheVirtualClockAndRunsTheHook) {
  FaultInjectingEnv env;
  ASSERT_TRUE(env.create_dirs("/d"));
  auto f = create(env, "/d/f");
  int hooks = 0;
  env.set_sync_hook([&] { ++hooks; });
  env.set_sync_latency(2500);
  const uint64_t before = env.now_micros();
  ASSERT_TRUE(f->sync());
  EXPECT_EQ(env.now_micros() - before, 2500u);
  EXPECT_EQ(hooks, 1);
}

TEST(FaultInjectingEnv, ListsDirectoryEntriesAndAllocatesZeros) {
  FaultInjectingEnv env;
  ASSERT_TRUE(env.create_dirs("/d/sub"));
  auto f = create(env, "/d/f");
  ASSERT_TRUE(f->allocate(0, 10));
  EXPECT_EQ(env.contents("/d/f"), std::string(10, '\0'));
  auto names = env.list_dir("/d");
  ASSERT_TRUE(names.is_ok());
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{"f", "sub"}));
}

class PosixEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("paddock-env-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(env_.create_dirs(dir_.string()));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) { return (dir_ / name).string(); }

  PosixEnv env_;
  std::filesystem::path dir_;
};

TEST_F(PosixEnvTest, WritesReadsAllocatesAndTruncates) {
  auto f = create(env_, path("f"));
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->allocate(0, 8192));
  ASSERT_TRUE(f->write_at(0, "hello"));
  ASSERT_TRUE(f->append(" world"));  // append starts at the size when opened (0)
  ASSERT_TRUE(f->sync());
  EXPECT_EQ(*f->size(), 8192u);
  auto range = env_.read_range(path("f"), 0, 11);
  ASSERT_TRUE(range.is_ok());
  EXPECT_EQ(*range, "hello world");
  ASSERT_TRUE(env_.truncate_file(path("f"), 5));
  EXPECT_EQ(*env_.read_file(path("f")), "hello");
  EXPECT_FALSE(env_.open_writable(path("f"), OpenMode::kCreateNew).is_ok());
  EXPECT_FALSE(env_.open_writable(path("missing"), OpenMode::kOpenExisting).is_ok());
}

TEST_F(PosixEnvTest, ListsRenamesAndRemoves) {
  ASSERT_TRUE(create(env_, path("a")));
  ASSERT_TRUE(env_.rename(path("a"), path("b")));
  ASSERT_TRUE(env_.sync_dir(dir_.string()));
  auto names = env_.list_dir(dir_.string());
  ASSERT_TRUE(names.is_ok());
  EXPECT_EQ(*names, std::vector<std::string>{"b"});
  ASSERT_TRUE(env_.remove(path("b")));
  EXPECT_FALSE(env_.file_exists(path("b")));
  Status st = env_.remove(path("b"));
  EXPECT_NE(st.message().find(path("b")), std::string::npos) << st.message();
}

}  // namespace
}  // namespace paddock::storage
