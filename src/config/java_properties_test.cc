#include "config/java_properties.h"

#include <gtest/gtest.h>

#include <map>

namespace paddock::config {
namespace {

// Key -> value with the last duplicate winning, as java.util.Properties keeps them.
std::map<std::string, std::string> as_map(std::string_view text) {
  Result<std::vector<PropertyLine>> lines = parse_java_properties(text, "t.cfg");
  EXPECT_TRUE(lines.is_ok()) << (lines ? "" : lines.error());
  std::map<std::string, std::string> m;
  if (lines) {
    for (const PropertyLine& l : *lines) m[l.key] = l.value;
  }
  return m;
}

// Expected values below were produced by java.util.Properties.load (OpenJDK 17) on the
// same text.
TEST(JavaPropertiesTest, MatchesJavaOnSeparatorsEscapesCommentsAndContinuations) {
  std::string text =
      "a=1\n  b : 2  \nc 3\nd\t=\t4\n#e=5\n  !f=6\ng=multi \\\n    line \\\n  end\n"
      "h\\=x=7\ni\\:y:8\nj\\ k=9\nk=\\t\\n\\u0041\\z\nl=\\\\\nm==x\nn::y\no = = z\np\r\n"
      "q=crlf\\\r\n   cont\r\nr\n\\\n#notcomment=1\ns=trail\\\n";
  std::map<std::string, std::string> expected = {
      {"a", "1"},   {"b", "2  "},   {"c", "3"},   {"d", "4"},      {"g", "multi line end"},
      {"h=x", "7"}, {"i:y", "8"},   {"j k", "9"}, {"k", "\t\nAz"}, {"l", "\\"},
      {"m", "=x"},  {"n", ":y"},    {"o", "= z"}, {"p", ""},       {"q", "crlfcont"},
      {"r", ""},    {"s", "trail"},
  };
  EXPECT_EQ(as_map(text), expected);
}

TEST(JavaPropertiesTest, ReportsTheLineWhereALogicalLineStarts) {
  Result<std::vector<PropertyLine>> lines = parse_java_properties(
      "# comment\n\nfirst=1\nsecond=a \\\n  b \\\n  c\nthird=3\r\nfourth=4\rfifth=5", "t.cfg");
  ASSERT_TRUE(lines.is_ok());
  ASSERT_EQ(lines->size(), 5u);
  EXPECT_EQ((*lines)[0].line, 3);
  EXPECT_EQ((*lines)[1].key, "second");
  EXPECT_EQ((*lines)[1].value, "a b c");
  EXPECT_EQ((*lines)[1].line, 4);
  EXPECT_EQ((*lines)[2].line, 7);
  EXPECT_EQ((*lines)[3].line, 8);  // \r\n is one line break
  EXPECT_EQ((*lines)[4].line, 9);  // a lone \r is one too
  EXPECT_EQ((*lines)[4].value, "5");
}

TEST(JavaPropertiesTest, KeepsDuplicatesInFileOrder) {
  Result<std::vector<PropertyLine>> lines = parse_java_properties("k=1\nk=2\n", "t.cfg");
  ASSERT_TRUE(lines.is_ok());
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].value, "1");
  EXPECT_EQ((*lines)[1].value, "2");
}

TEST(JavaPropertiesTest, CommentMarkerAfterTheStartIsPartOfTheValue) {
  EXPECT_EQ(as_map("key=value # not a comment\nurl: http://x/#frag\n"),
            (std::map<std::string, std::string>{{"key", "value # not a comment"},
                                                {"url", "http://x/#frag"}}));
}

TEST(JavaPropertiesTest, CommentLineEndingInBackslashDoesNotContinue) {
  EXPECT_EQ(as_map("# comment \\\nkey=1\n"), (std::map<std::string, std::string>{{"key", "1"}}));
}

TEST(JavaPropertiesTest, UnicodeEscapesBecomeUtf8IncludingSurrogatePairs) {
  EXPECT_EQ(as_map("e=\\u00e9\nsmile=\\uD83D\\uDE00\n"),
            (std::map<std::string, std::string>{{"e", "\xC3\xA9"}, {"smile", "\xF0\x9F\x98\x80"}}));
}

TEST(JavaPropertiesTest, MalformedUnicodeEscapeIsAnErrorNamingTheLine) {
  Result<std::vector<PropertyLine>> lines = parse_java_properties("a=1\nb=\\u12G4\n", "zoo.cfg");
  ASSERT_FALSE(lines.is_ok());
  EXPECT_EQ(lines.error(), "zoo.cfg:2: malformed \\uxxxx escape");
}

TEST(JavaPropertiesTest, EmptyTextAndOnlyCommentsGiveNoEntries) {
  EXPECT_TRUE(as_map("").empty());
  EXPECT_TRUE(as_map("# a\n! b\n   \n\t\n").empty());
}

TEST(JavaPropertiesTest, NonAsciiBytesAreKeptAsTheyAre) {
  EXPECT_EQ(as_map("dataDir=/tmp/d\xC3\xA9j\xC3\xA0\n"),
            (std::map<std::string, std::string>{{"dataDir", "/tmp/d\xC3\xA9j\xC3\xA0"}}));
}

}  // namespace
}  // namespace paddock::config
