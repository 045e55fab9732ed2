#include "config/server_entry.h"

#include <gtest/gtest.h>

namespace paddock::config {
namespace {

ServerEntry entry_ok(std::string_view value, int64_t id = 1) {
  Result<ServerEntry> e = parse_server_entry(id, value);
  EXPECT_TRUE(e.is_ok()) << value << ": " << (e ? "" : e.error());
  return e ? *e : ServerEntry{};
}

std::string entry_error(std::string_view value) {
  Result<ServerEntry> e = parse_server_entry(1, value);
  EXPECT_FALSE(e.is_ok()) << value;
  return e ? "" : e.error();
}

TEST(ServerEntryTest, HostAndTwoPortsIsAParticipantWithoutClientAddress) {
  ServerEntry e = entry_ok("zk1.example.com:2888:3888", 7);
  EXPECT_EQ(e.id, 7);
  EXPECT_EQ(e.host, "zk1.example.com");
  EXPECT_EQ(e.quorum_port, 2888);
  EXPECT_EQ(e.election_port, 3888);
  EXPECT_EQ(e.role, "participant");
  EXPECT_FALSE(e.has_client_address());
  EXPECT_EQ(e.to_config_string(), "zk1.example.com:2888:3888:participant");
}

TEST(ServerEntryTest, RoleIsParsedInAnyCase) {
  EXPECT_EQ(entry_ok("h:1:2:observer").role, "observer");
  EXPECT_TRUE(entry_ok("h:1:2:OBSERVER").is_observer());
  EXPECT_EQ(entry_ok("h:1:2:Participant").role, "participant");
  EXPECT_NE(entry_error("h:1:2:leader").find("unknown role 'leader'"), std::string::npos);
}

TEST(ServerEntryTest, BareClientPortMeansAllAddresses) {
  ServerEntry e = entry_ok("127.0.0.1:2888:3888;2181");
  EXPECT_EQ(e.client_address, "0.0.0.0");
  EXPECT_EQ(e.client_port, 2181);
  EXPECT_EQ(e.to_config_string(), "127.0.0.1:2888:3888:participant;0.0.0.0:2181");
}

TEST(ServerEntryTest, ClientHostAndPortWithRole) {
  ServerEntry e = entry_ok("10.0.0.1:2888:3888:observer;10.0.0.1:2181");
  EXPECT_EQ(e.role, "observer");
  EXPECT_EQ(e.client_address, "10.0.0.1");
  EXPECT_EQ(e.client_port, 2181);
}

TEST(ServerEntryTest, Ipv6AddressesInBrackets) {
  ServerEntry e = entry_ok("[::1]:2888:3888:participant;[::1]:2181");
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.client_address, "::1");
  EXPECT_EQ(e.to_config_string(), "[::1]:2888:3888:participant;[::1]:2181");
  EXPECT_EQ(entry_ok("[fe80::1]:2888:3888").host, "fe80::1");
  EXPECT_NE(entry_error("[::1:2888:3888").find("no matching ']'"), std::string::npos);
  EXPECT_NE(entry_error("::1:2888:3888").find("must be host:quorumPort:electionPort"),
            std::string::npos);
}

TEST(ServerEntryTest, TrailingSemicolonMeansNoClientPart) {
  EXPECT_FALSE(entry_ok("h:2888:3888;").has_client_address());
}

TEST(ServerEntryTest, SpacesAroundTheValueAndItsPartsAreIgnored) {
  ServerEntry e = entry_ok("  h:2888: 3888 ; 2181 ");
  EXPECT_EQ(e.election_port, 3888);
  EXPECT_EQ(e.client_port, 2181);
}

TEST(ServerEntryTest, MalformedLinesAreErrors) {
  EXPECT_NE(entry_error("h:2888").find("must be host:quorumPort:electionPort"), std::string::npos);
  EXPECT_NE(entry_error("h:2888:3888:observer:x").find("must be"), std::string::npos);
  EXPECT_NE(entry_error("h:x:3888").find("quorum port 'x' is not a number"), std::string::npos);
  EXPECT_NE(entry_error("h:2888:99999").find("election port 99999 is out of range"),
            std::string::npos);
  EXPECT_NE(entry_error("h:0:3888").find("quorum port 0 is out of range"), std::string::npos);
  EXPECT_NE(entry_error("h:2888:2888").find("must differ"), std::string::npos);
  EXPECT_NE(entry_error(":2888:3888").find("host is empty"), std::string::npos);
  EXPECT_NE(entry_error("h:1:2;a:b:c").find("client part"), std::string::npos);
  EXPECT_NE(entry_error("h:1:2;x").find("client port 'x' is not a number"), std::string::npos);
  EXPECT_NE(entry_error("h:1:2;2181;3").find("must be"), std::string::npos);
  EXPECT_NE(entry_error("a:1:2|b:1:2").find("multiAddress"), std::string::npos);
  EXPECT_NE(entry_error("").find("must be"), std::string::npos);
}

TEST(ServerEntryTest, ServerLineKeyCarriesTheId) {
  Result<ServerEntry> e = parse_server_line("server.12", "h:1:2");
  ASSERT_TRUE(e.is_ok());
  EXPECT_EQ(e->id, 12);
  EXPECT_FALSE(parse_server_line("server.x", "h:1:2").is_ok());
  EXPECT_FALSE(parse_server_line("server.-1", "h:1:2").is_ok());
  EXPECT_FALSE(parse_server_line("server.", "h:1:2").is_ok());
}

}  // namespace
}  // namespace paddock::config
