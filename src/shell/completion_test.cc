#include "shell/completion.h"

#include <gtest/gtest.h>

#include <map>

#include "shell/command_table.h"

namespace paddock::shell {
namespace {

class CompletionTest : public ::testing::Test {
 protected:
  std::map<std::string, std::vector<std::string>> tree_ = {
      {"/", {"zookeeper", "app", "apple"}}, {"/app", {"config", "workers"}}, {"/app/workers", {}}};
  std::vector<std::string> asked_;
  ChildLister lister() {
    return [this](const std::string& p) {
      asked_.push_back(p);
      auto it = tree_.find(p);
      return it == tree_.end() ? std::vector<std::string>{} : it->second;
    };
  }
};

TEST_F(CompletionTest, FirstWordCompletesACommandWithABlank) {
  Completion c = complete("getE", command_names(), lister());
  EXPECT_EQ(c.insert, "phemerals ");
  EXPECT_TRUE(c.matches.empty());
  EXPECT_TRUE(asked_.empty());
}

TEST_F(CompletionTest, SeveralCommandsGiveTheirCommonPrefixAndTheList) {
  Completion c = complete("get", command_names(), lister());
  EXPECT_EQ(c.insert, "");
  EXPECT_EQ(c.matches,
            (std::vector<std::string>{"get", "getAcl", "getAllChildrenNumber", "getEphemerals"}));
  c = complete("getA", command_names(), lister());
  EXPECT_EQ(c.insert, "");
  EXPECT_EQ(c.matches.size(), 2u);
  c = complete("dele", command_names(), lister());
  EXPECT_EQ(c.insert, "te");
}

TEST_F(CompletionTest, PathCompletesAgainstTheChildrenOfItsParent) {
  Completion c = complete("ls /app/w", command_names(), lister());
  EXPECT_EQ(c.insert, "orkers");
  EXPECT_EQ(asked_, (std::vector<std::string>{"/app"}));
  c = complete("get -s /z", command_names(), lister());
  EXPECT_EQ(c.insert, "ookeeper");
  c = complete("ls /ap", command_names(), lister());
  EXPECT_EQ(c.insert, "p");
  EXPECT_EQ(c.matches, (std::vector<std::string>{"/app", "/apple"}));
}

TEST_F(CompletionTest, NothingForOtherWordsOrNoMatch) {
  EXPECT_EQ(complete("create /a dat", command_names(), lister()).insert, "");
  Completion c = complete("ls /nothing/x", command_names(), lister());
  EXPECT_EQ(c.insert, "");
  EXPECT_TRUE(c.matches.empty());
  EXPECT_TRUE(complete("xyz", command_names(), lister()).matches.empty());
}

TEST(CommandTable, UsageLinesMatchZkCli38Help) {
  std::string u = usage_text();
  for (const char* line :
       {"\tls [-s] [-w] [-R] path\n", "\tcreate [-s] [-e] [-c] [-t ttl] path [data] [acl]\n",
        "\tsetquota -n|-b|-N|-B val path\n", "\tdeleteall path [-b batch size]\n",
        "\tremovewatches path [-c|-d|-a] [-l]\n", "\tclose \n", "\twhoami \n"}) {
    EXPECT_NE(u.find(line), std::string::npos) << line;
  }
  // Sorted as Java sorts strings: upper case first ("addWatch" before "addauth").
  EXPECT_LT(u.find("\taddWatch"), u.find("\taddauth"));
}

}  // namespace
}  // namespace paddock::shell
