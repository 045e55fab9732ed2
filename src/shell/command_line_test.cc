#include "shell/command_line.h"

#include <gtest/gtest.h>

namespace paddock::shell {
namespace {

using Words = std::vector<std::string>;

TEST(SplitWords, SplitsOnBlanksAndStripsWholeQuotedWords) {
  EXPECT_EQ(split_words("  create  /a   hello "), (Words{"create", "/a", "hello"}));
  EXPECT_EQ(split_words("create /a \"hello world\""), (Words{"create", "/a", "hello world"}));
  EXPECT_EQ(split_words("create /a 'it is'"), (Words{"create", "/a", "it is"}));
  EXPECT_EQ(split_words("create /a \"\""), (Words{"create", "/a", ""}));
}

TEST(SplitWords, QuotesInsideAWordStayAndAnUnclosedQuoteIsSkipped) {
  EXPECT_EQ(split_words("set /a x\"y"), (Words{"set", "/a", "x\"y"}));
  EXPECT_EQ(split_words("set /a \"abc def"), (Words{"set", "/a", "abc", "def"}));
  EXPECT_EQ(split_words("\"ab\"cd"), (Words{"ab", "cd"}));
  EXPECT_TRUE(split_words("   ").empty());
}

TEST(ParseOptions, FlagsAnywhereValuesAttachedOrSeparate) {
  std::vector<OptionSpec> specs = {{'s'}, {'e'}, {'t', true}};
  std::string error;
  auto p = parse_options({"create", "-se", "/a", "-t5000", "data"}, specs, &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->args, (Words{"create", "/a", "data"}));
  EXPECT_TRUE(p->has('s'));
  EXPECT_TRUE(p->has('e'));
  EXPECT_EQ(p->value('t'), "5000");
  p = parse_options({"create", "-t", "7", "/b"}, specs, &error);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->value('t'), "7");
  EXPECT_EQ(p->args, (Words{"create", "/b"}));
}

TEST(ParseOptions, ValueMayBeANegativeNumberAndDoubleDashEndsOptions) {
  std::string error;
  auto p = parse_options({"set", "-v", "-1", "/a", "x"}, {{'v', true}}, &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->value('v'), "-1");
  p = parse_options({"create", "--", "/a", "-x"}, {}, &error);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->args, (Words{"create", "/a", "-x"}));
}

TEST(ParseOptions, UnknownOptionAndMissingValueGiveCommonsCliMessages) {
  std::string error;
  EXPECT_FALSE(parse_options({"create", "/zz", "-1"}, {{'s'}}, &error));
  EXPECT_EQ(error, "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -1");
  EXPECT_FALSE(parse_options({"create", "-sx", "/a"}, {{'s'}}, &error));
  EXPECT_EQ(error, "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -sx");
  EXPECT_FALSE(parse_options({"create", "/a", "-t"}, {{'t', true}}, &error));
  EXPECT_EQ(error,
            "org.apache.commons.cli.MissingArgumentException: Missing argument for option: t");
}

TEST(ParseShellArgs, OptionsThenTheCommandUntouched) {
  std::string error;
  auto a =
      parse_shell_args({"-server", "h:1", "-timeout", "500", "--json", "get", "-s", "/a"}, &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->server, "h:1");
  EXPECT_EQ(a->timeout_ms, 500);
  EXPECT_TRUE(a->json);
  EXPECT_EQ(a->command, (Words{"get", "-s", "/a"}));
  a = parse_shell_args({"-server", "h:2", "--help"}, &error);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->help);
  a = parse_shell_args({}, &error);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->server, "localhost:2181");
  EXPECT_TRUE(a->command.empty());
}

TEST(ParseShellArgs, MissingOrBadValuesAreErrors) {
  std::string error;
  EXPECT_FALSE(parse_shell_args({"-server"}, &error));
  EXPECT_EQ(error, "Error: no argument found for option -server");
  EXPECT_FALSE(parse_shell_args({"-timeout", "x"}, &error));
  EXPECT_FALSE(parse_shell_args({"-bogus"}, &error));
}

}  // namespace
}  // namespace paddock::shell
