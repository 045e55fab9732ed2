// Server lines, myid and dynamic config files.
#include <gtest/gtest.h>

#include "config/config_test_util.h"
#include "config/server_config.h"

namespace paddock::config {
namespace {

using testing::all_warnings;
using testing::count_warnings;
using testing::parse_error;
using testing::parse_ok;

constexpr std::string_view kEnsemble =
    "dataDir=/d\ninitLimit=10\nsyncLimit=5\n"
    "server.1=127.0.0.1:2888:3888;2181\n"
    "server.2=127.0.0.2:2888:3888;127.0.0.2:2182\n"
    "server.3=[::1]:2889:3889:participant\n"
    "server.4=127.0.0.4:2888:3888:observer;2184\n";

LoadedConfig with_my_id(std::string_view text, std::optional<std::string> myid) {
  LoadedConfig l = parse_ok(text);
  Status s = apply_my_id(l, myid, "/d/myid");
  EXPECT_TRUE(s.is_ok()) << s.message();
  return l;
}

std::string my_id_error(std::string_view text, std::optional<std::string> myid) {
  LoadedConfig l = parse_ok(text);
  Status s = apply_my_id(l, myid, "/d/myid");
  EXPECT_FALSE(s.is_ok());
  return s.message();
}

TEST(ServerConfigQuorumTest, EnsembleTakesIdClientAddressAndRoleFromItsServerLine) {
  LoadedConfig l = with_my_id(kEnsemble, "2\n");
  const ServerConfig& c = l.config;
  EXPECT_TRUE(c.is_distributed());
  EXPECT_EQ(c.my_id, 2);
  ASSERT_NE(c.self(), nullptr);
  EXPECT_EQ(c.self()->host, "127.0.0.2");
  EXPECT_EQ(c.client_port, 2182);
  EXPECT_EQ(c.client_port_address, "127.0.0.2");
  EXPECT_FALSE(c.is_observer());
  ASSERT_EQ(c.servers.size(), 4u);
  EXPECT_EQ(c.servers.at(3).host, "::1");
  EXPECT_TRUE(c.servers.at(4).is_observer());
  EXPECT_EQ(l.warnings.size(), 0u) << all_warnings(l);
}

TEST(ServerConfigQuorumTest, ObserverTakesItsRoleFromTheServerList) {
  LoadedConfig l = with_my_id(kEnsemble, "4");
  EXPECT_TRUE(l.config.is_observer());
  EXPECT_EQ(l.config.client_port, 2184);
  EXPECT_EQ(l.config.client_port_address, "0.0.0.0");
  EXPECT_EQ(count_warnings(l, "peerType participant differs from the role of server.4"), 1);
}

TEST(ServerConfigQuorumTest, ServerWithoutClientPartUsesClientPort) {
  std::string text = std::string(kEnsemble) + "clientPort=2999\n";
  LoadedConfig l = with_my_id(text, "3");
  EXPECT_EQ(l.config.client_port, 2999);
  EXPECT_EQ(l.config.client_port_address, "");
}

TEST(ServerConfigQuorumTest, ClientPortMustAgreeWithTheServerLine) {
  EXPECT_EQ(my_id_error(std::string(kEnsemble) + "clientPort=2999\n", "1"),
            "zoo.cfg: clientPort/clientPortAddress (0.0.0.0:2999) differ from the client "
            "address of server.1 (0.0.0.0:2181)");
  EXPECT_EQ(with_my_id(std::string(kEnsemble) + "clientPort=2182\n", "2").config.client_port, 2182);
  EXPECT_FALSE(
      my_id_error(std::string(kEnsemble) + "clientPort=2182\nclientPortAddress=10.1.1.1\n", "2")
          .empty());
}

TEST(ServerConfigQuorumTest, MyidIsRequiredAndMustBeADecimalIdInTheList) {
  EXPECT_EQ(my_id_error(kEnsemble, std::nullopt),
            "/d/myid: myid file is missing; it must hold this server's id (one of 1, 2, 3, 4 "
            "from zoo.cfg)");
  EXPECT_EQ(my_id_error(kEnsemble, "abc\n"),
            "/d/myid: 'abc' is not a server id (a decimal number)");
  EXPECT_EQ(my_id_error(kEnsemble, " 1\n"), "/d/myid: ' 1' is not a server id (a decimal number)");
  EXPECT_EQ(my_id_error(kEnsemble, ""), "/d/myid: '' is not a server id (a decimal number)");
  EXPECT_EQ(my_id_error(kEnsemble, "9\n"),
            "/d/myid: this server's id 9 has no server.9 line in zoo.cfg");
  EXPECT_EQ(with_my_id(kEnsemble, "3\r\nignored second line").config.my_id, 3);
}

TEST(ServerConfigQuorumTest, LargeIdIsRefusedWithExtendedTypes) {
  std::string text =
      "dataDir=/d\ninitLimit=1\nsyncLimit=1\nextendedTypesEnabled=true\n"
      "server.1=h:1:2\nserver.300=h:3:4\n";
  EXPECT_EQ(my_id_error(text, "300"),
            "/d/myid: server id 300 is above 254, which zookeeper.extendedTypesEnabled does not "
            "allow");
}

TEST(ServerConfigQuorumTest, OneServerLineRunsStandaloneWithoutMyid) {
  LoadedConfig l = with_my_id("dataDir=/d\nclientPort=2181\nserver.1=h:2888:3888\n", std::nullopt);
  EXPECT_FALSE(l.config.is_distributed());
  EXPECT_EQ(l.config.my_id, 0);
  EXPECT_EQ(count_warnings(l, "only one server line; running standalone"), 1);
}

TEST(ServerConfigQuorumTest, StandaloneDisabledMakesOneServerAnEnsemble) {
  LoadedConfig l = with_my_id(
      "dataDir=/d\ninitLimit=5\nsyncLimit=2\nstandaloneEnabled=false\nserver.1=h:2888:3888;2181\n",
      "1");
  EXPECT_TRUE(l.config.is_distributed());
  EXPECT_EQ(l.config.client_port, 2181);
}

TEST(ServerConfigQuorumTest, QuorumShapeErrors) {
  EXPECT_EQ(parse_error("dataDir=/d\nstandaloneEnabled=false\n"),
            "zoo.cfg: standaloneEnabled=false needs at least one participant server.N line");
  EXPECT_EQ(parse_error("dataDir=/d\nserver.1=h:1:2:observer\n"),
            "zoo.cfg: observers without participants");
  EXPECT_EQ(parse_error("dataDir=/d\nserver.1=h:1:2\nserver.2=h:3:4:observer\n"),
            "zoo.cfg: observers without a quorum of participants");
  EXPECT_EQ(parse_error("dataDir=/d\nserver.1=h:1:2\nserver.2=h:3:4\nserver.3=h:5:6\n"),
            "zoo.cfg: initLimit is not set (an ensemble needs it)\n"
            "zoo.cfg: syncLimit is not set (an ensemble needs it)");
}

TEST(ServerConfigQuorumTest, SmallOrEvenEnsemblesWarn) {
  EXPECT_EQ(count_warnings(parse_ok("dataDir=/d\ninitLimit=1\nsyncLimit=1\n"
                                    "server.1=h:1:2\nserver.2=h:3:4\n"),
                           "2 participants: no server failure will be tolerated"),
            1);
  EXPECT_EQ(count_warnings(parse_ok("dataDir=/d\ninitLimit=1\nsyncLimit=1\nserver.1=h:1:2\n"
                                    "server.2=h:3:4\nserver.3=h:5:6\nserver.4=h:7:8\n"),
                           "4 participants: an odd number"),
            1);
}

TEST(ServerConfigQuorumTest, ServerLinesAndGroupsAreRefusedNextToADynamicConfigFile) {
  EXPECT_EQ(parse_error("dataDir=/d\nserver.1=h:1:2\ndynamicConfigFile=/d/zoo.cfg.dynamic\n"),
            "zoo.cfg:2: server.1: must be in the separate dynamic config file "
            "(dynamicConfigFile is set)");
  EXPECT_EQ(parse_error("dataDir=/d\ngroup.1=1:2:3\n"),
            "zoo.cfg:2: group.1: hierarchical quorums (group/weight) are not supported by Paddock");
}

TEST(ServerConfigQuorumTest, DynamicConfigAddsServersAndVersion) {
  LoadedConfig l = parse_ok(
      "dataDir=/d\ninitLimit=10\nsyncLimit=5\ndynamicConfigFile=/d/zoo.cfg.dynamic.100000000\n");
  EXPECT_TRUE(l.config.servers.empty());
  EXPECT_EQ(l.config.dynamic_config_file, "/d/zoo.cfg.dynamic.100000000");
  Status s = apply_dynamic_config(
      l,
      "server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\n"
      "server.2=127.0.0.1:2889:3889:participant;0.0.0.0:2182\n"
      "server.3=127.0.0.1:2890:3890:participant;0.0.0.0:2183\nversion=100000000\n",
      "zoo.cfg.dynamic");
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(l.config.servers.size(), 3u);
  EXPECT_EQ(l.config.config_version, 0x100000000);
  ASSERT_TRUE(apply_my_id(l, "3", "/d/myid").is_ok());
  EXPECT_EQ(l.config.client_port, 2183);
}

TEST(ServerConfigQuorumTest, DynamicConfigRefusesOtherKeys) {
  LoadedConfig l = parse_ok("dataDir=/d\ndynamicConfigFile=/x\n");
  Status s = apply_dynamic_config(l, "server.1=h:1:2\ntickTime=5\nserver.2=h:1\n", "dyn");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message(),
            "dyn:2: tickTime: not allowed in a dynamic config file (only server.N and version)\n"
            "dyn:3: server.2: 'h:1' must be host:quorumPort:electionPort[:participant|observer]");
}

TEST(ServerConfigQuorumTest, StandaloneWithoutClientPortWarns) {
  LoadedConfig l = with_my_id("dataDir=/d\n", std::nullopt);
  EXPECT_EQ(count_warnings(l, "zoo.cfg: no clientPort: clients cannot connect"), 1);
}

TEST(ServerConfigQuorumTest, QuorumSaslKeysHaveZooKeepersDefaults) {
  const ServerConfig c = parse_ok(kEnsemble).config;
  EXPECT_FALSE(c.quorum_auth_enable_sasl);
  EXPECT_FALSE(c.quorum_auth_learner_require_sasl);
  EXPECT_FALSE(c.quorum_auth_server_require_sasl);
  EXPECT_EQ(c.quorum_auth_service_principal, "zkquorum/localhost");
  EXPECT_EQ(c.quorum_auth_learner_context, "QuorumLearner");
  EXPECT_EQ(c.quorum_auth_server_context, "QuorumServer");
}

TEST(ServerConfigQuorumTest, QuorumSaslKeysAreReadWithoutWarnings) {
  LoadedConfig l = parse_ok(std::string(kEnsemble) +
                            "quorum.auth.enableSasl=true\nquorum.auth.learnerRequireSasl=TRUE\n"
                            "quorum.auth.serverRequireSasl=true\n"
                            "quorum.auth.kerberos.servicePrincipal=zkquorum/_HOST\n"
                            "quorum.auth.learner.saslLoginContext=MyLearner\n"
                            "quorum.auth.server.saslLoginContext=MyServer\n");
  const ServerConfig& c = l.config;
  EXPECT_TRUE(c.quorum_auth_enable_sasl);
  EXPECT_TRUE(c.quorum_auth_learner_require_sasl);
  EXPECT_TRUE(c.quorum_auth_server_require_sasl);
  EXPECT_EQ(c.quorum_auth_service_principal, "zkquorum/_HOST");
  EXPECT_EQ(c.quorum_auth_learner_context, "MyLearner");
  EXPECT_EQ(c.quorum_auth_server_context, "MyServer");
  EXPECT_EQ(count_warnings(l, "quorum.auth"), 0) << all_warnings(l);
  EXPECT_TRUE(c.properties.find("zookeeper.quorum.auth.enableSasl") == c.properties.end());
}

// QuorumPeerConfig's messages, each naming the line of the switch that cannot be on.
TEST(ServerConfigQuorumTest, RequiringQuorumSaslWithoutWhatItBuildsOnIsAnError) {
  EXPECT_EQ(parse_error(std::string(kEnsemble) + "quorum.auth.serverRequireSasl=true\n"
                                                 "quorum.auth.learnerRequireSasl=true\n"),
            "zoo.cfg:8: quorum.auth.serverRequireSasl: quorum.auth.enableSasl is disabled, so "
            "cannot enable quorum.auth.serverRequireSasl\n"
            "zoo.cfg:9: quorum.auth.learnerRequireSasl: quorum.auth.enableSasl is disabled, so "
            "cannot enable quorum.auth.learnerRequireSasl");
  EXPECT_EQ(parse_error(std::string(kEnsemble) + "quorum.auth.enableSasl=true\n"
                                                 "quorum.auth.serverRequireSasl=true\n"),
            "zoo.cfg:9: quorum.auth.serverRequireSasl: quorum.auth.learnerRequireSasl is "
            "disabled, so cannot enable quorum.auth.serverRequireSasl");
  EXPECT_EQ(parse_error(std::string(kEnsemble) + "quorum.auth.enableSasl=maybe\n"),
            "zoo.cfg:8: quorum.auth.enableSasl: invalid value 'maybe' (use true or false)");
  // enableSasl alone, and enable + learner: the first steps of ZooKeeper's rolling upgrade.
  parse_ok(std::string(kEnsemble) + "quorum.auth.enableSasl=true\n");
  parse_ok(std::string(kEnsemble) +
           "quorum.auth.enableSasl=true\nquorum.auth.learnerRequireSasl=true\n");
}

}  // namespace
}  // namespace paddock::config
