#include "config/server_config.h"

#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace paddock::config {
namespace {

using testing::all_warnings;
using testing::count_warnings;
using testing::parse_error;
using testing::parse_ok;
using testing::Props;

TEST(ServerConfigTest, DefaultsAreZooKeeper38Defaults) {
  LoadedConfig l = parse_ok("dataDir=/var/zk\n");
  const ServerConfig& c = l.config;
  EXPECT_EQ(c.tick_time_ms, 3000);
  EXPECT_EQ(c.data_dir, "/var/zk");
  EXPECT_EQ(c.data_log_dir, "/var/zk");
  EXPECT_EQ(c.client_port_address, "");
  EXPECT_EQ(c.client_port, 0);
  EXPECT_EQ(c.max_client_cnxns, 60);
  EXPECT_EQ(c.min_session_timeout(), 6000);
  EXPECT_EQ(c.max_session_timeout(), 60000);
  EXPECT_EQ(c.client_port_listen_backlog, -1);
  EXPECT_FALSE(c.local_sessions_enabled);
  EXPECT_EQ(c.autopurge_snap_retain_count, 3);
  EXPECT_EQ(c.autopurge_purge_interval_hours, 0);
  EXPECT_EQ(c.init_limit, 0);
  EXPECT_EQ(c.sync_limit, 0);
  EXPECT_TRUE(c.standalone_enabled);
  EXPECT_FALSE(c.reconfig_enabled);
  EXPECT_TRUE(c.sync_enabled);
  EXPECT_EQ(c.peer_type, "participant");
  EXPECT_TRUE(c.servers.empty());
  EXPECT_EQ(c.my_id, 0);
  EXPECT_FALSE(c.is_distributed());
  EXPECT_EQ(c.snap_count, 100000);
  EXPECT_EQ(c.pre_alloc_size_kb, 65536);
  EXPECT_TRUE(c.force_sync);
  EXPECT_EQ(c.global_outstanding_limit, 1000);
  EXPECT_EQ(c.four_letter_words, (std::set<std::string>{"srvr"}));
  EXPECT_TRUE(c.admin_enable_server);
  EXPECT_EQ(c.admin_server_address, "0.0.0.0");
  EXPECT_EQ(c.admin_server_port, 8080);
  EXPECT_EQ(c.admin_command_url, "/commands");
  EXPECT_EQ(c.admin_idle_timeout_ms, 30000);
  EXPECT_EQ(c.jute_max_buffer(), 0xfffff);
  EXPECT_EQ(c.jute_max_buffer_extra_size(), 0xfffff);
  EXPECT_FALSE(c.extended_types_enabled());
  EXPECT_FALSE(c.enforce_quota());
  EXPECT_EQ(c.super_digest(), "");
  EXPECT_FALSE(c.skip_acl());
  EXPECT_TRUE(c.digest_enabled());
  EXPECT_TRUE(c.digest_auth_enabled());
  EXPECT_EQ(c.fsync_warning_threshold_ms(), 1000);
  EXPECT_EQ(c.snap_size_limit_kb(), 4194304);
  EXPECT_EQ(c.txn_log_size_limit_kb(), -1);
  EXPECT_EQ(c.max_cnxns(), 0);
  EXPECT_TRUE(c.close_session_txn_enabled());
  EXPECT_EQ(c.snapshot_compression_method(), "");
  EXPECT_DOUBLE_EQ(c.snapshot_size_factor(), 0.33);
  EXPECT_EQ(c.commit_log_count(), 500);
  EXPECT_TRUE(c.datadir_autocreate());
  EXPECT_FALSE(c.read_only_mode_enabled());
  EXPECT_EQ(c.container_check_interval_ms(), 60000);
  EXPECT_EQ(c.container_max_per_minute(), 10000);
  EXPECT_EQ(c.max_batch_size(), 1000);
  EXPECT_EQ(c.flush_delay_ms(), 0);
  EXPECT_TRUE(c.leader_serves());
  EXPECT_EQ(c.cnx_timeout_ms(), 5000);
  EXPECT_TRUE(c.properties.empty());
  EXPECT_EQ(c.entries, (std::vector<std::pair<std::string, std::string>>{{"dataDir", "/var/zk"}}));
}

TEST(ServerConfigTest, EveryQuorumPeerConfigKeyIsRead) {
  LoadedConfig l = parse_ok(
      "tickTime=2000\ndataDir=/d\ndataLogDir=/l\nclientPort=2181\nclientPortAddress=127.0.0.1\n"
      "maxClientCnxns=0\nminSessionTimeout=1000\nmaxSessionTimeout=90000\n"
      "clientPortListenBacklog=50\nlocalSessionsEnabled=true\n"
      "localSessionsUpgradingEnabled=TRUE\ninitLimit=10\nsyncLimit=5\n"
      "connectToLearnerMasterLimit=7\nelectionAlg=3\nquorumListenOnAllIPs=true\n"
      "peerType=observer\nsyncEnabled=false\nautopurge.snapRetainCount=5\n"
      "autopurge.purgeInterval=24\nstandaloneEnabled=false\nreconfigEnabled=true\n"
      "observerMasterPort=2191\nsslQuorum=false\nportUnification=false\n"
      "quorum.auth.enableSasl=false\njvm.pause.monitor=false\nmultiAddress.enabled=false\n"
      "metricsProvider.className=org.apache.zookeeper.metrics.impl.DefaultMetricsProvider\n"
      "server.1=127.0.0.1:2888:3888\n");
  const ServerConfig& c = l.config;
  EXPECT_EQ(c.tick_time_ms, 2000);
  EXPECT_EQ(c.data_log_dir, "/l");
  EXPECT_EQ(c.client_port, 2181);
  EXPECT_EQ(c.client_port_address, "127.0.0.1");
  EXPECT_EQ(c.max_client_cnxns, 0);
  EXPECT_EQ(c.min_session_timeout(), 1000);
  EXPECT_EQ(c.max_session_timeout(), 90000);
  EXPECT_EQ(c.client_port_listen_backlog, 50);
  EXPECT_TRUE(c.local_sessions_enabled);
  EXPECT_TRUE(c.local_sessions_upgrading_enabled);
  EXPECT_EQ(c.init_limit, 10);
  EXPECT_EQ(c.sync_limit, 5);
  EXPECT_EQ(c.connect_to_learner_master_limit, 7);
  EXPECT_TRUE(c.quorum_listen_on_all_ips);
  EXPECT_EQ(c.peer_type, "observer");
  EXPECT_FALSE(c.sync_enabled);
  EXPECT_EQ(c.autopurge_snap_retain_count, 5);
  EXPECT_EQ(c.autopurge_purge_interval_hours, 24);
  EXPECT_FALSE(c.standalone_enabled);
  EXPECT_TRUE(c.reconfig_enabled);
  EXPECT_EQ(c.observer_master_port, 2191);
  EXPECT_TRUE(c.properties.empty()) << "consumed keys must not become properties";
  EXPECT_EQ(l.warnings,
            (std::vector<std::string>{
                "zoo.cfg:22: reconfigEnabled: Paddock does not implement dynamic reconfiguration: "
                "reconfig requests are answered RECONFIGDISABLED and the ensemble is the "
                "server.N lines",
                "zoo.cfg: 1 participant: no server failure will be tolerated (use at least 3)"}));
}

TEST(ServerConfigTest, SessionTimeoutDefaultsFollowTickTime) {
  const ServerConfig c = parse_ok("dataDir=/d\ntickTime=500\nmaxSessionTimeout=-1\n").config;
  EXPECT_EQ(c.min_session_timeout(), 1000);
  EXPECT_EQ(c.max_session_timeout(), 10000);
}

// Found by fuzz/zoo_cfg_fuzz.cc: tickTime x 2 and x 20 overflowed int32 (undefined
// behaviour) for a large tickTime; the defaults now stop at INT32_MAX ms.
TEST(ServerConfigTest, SessionTimeoutDefaultsOfAHugeTickTimeDoNotOverflow) {
  const ServerConfig c = parse_ok("dataDir=/d\ntickTime=1435327297\n").config;
  EXPECT_EQ(c.min_session_timeout(), 2147483647);
  EXPECT_EQ(c.max_session_timeout(), 2147483647);
  const ServerConfig d = parse_ok("dataDir=/d\ntickTime=169565517\n").config;
  EXPECT_EQ(d.min_session_timeout(), 339131034);
  EXPECT_EQ(d.max_session_timeout(), 2147483647);
}

TEST(ServerConfigTest, UnknownKeysBecomeZookeeperPropertiesWithAWarningNamingTheLine) {
  LoadedConfig l = parse_ok("dataDir=/d\n\ntcikTime=2000\n");
  EXPECT_EQ(l.config.properties.at("zookeeper.tcikTime"), "2000");
  ASSERT_EQ(l.warnings.size(), 1u) << all_warnings(l);
  EXPECT_EQ(l.warnings[0],
            "zoo.cfg:3: tcikTime: unknown key; kept as system property zookeeper.tcikTime");
}

TEST(ServerConfigTest, KnownPropertyKeysPassThroughQuietly) {
  LoadedConfig l = parse_ok(
      "dataDir=/d\nsnapCount=5000\npreAllocSize=1024\nforceSync=no\nglobalOutstandingLimit=50\n"
      "4lw.commands.whitelist=stat, ruok ,conf\nadmin.enableServer=false\n"
      "admin.serverPort=9090\nadmin.serverAddress=127.0.0.1\nadmin.commandURL=/cmd\n"
      "admin.idleTimeout=100\nskipACL=yes\nextendedTypesEnabled=true\nenforceQuota=true\n"
      "DigestAuthenticationProvider.superDigest=super:abc=\ndigest.enabled=false\n"
      "fsync.warningthresholdms=50\nmaxCnxns=10\nsnapshot.compression.method=gz\n"
      "commitLogCount=600\nsnapSizeLimitInKb=100\nzookeeper.closeSessionTxn.enabled=false\n");
  const ServerConfig& c = l.config;
  EXPECT_EQ(l.warnings.size(), 0u) << all_warnings(l);
  EXPECT_EQ(c.properties.at("zookeeper.snapCount"), "5000");
  EXPECT_EQ(c.snap_count, 5000);
  EXPECT_EQ(c.pre_alloc_size_kb, 1024);
  EXPECT_FALSE(c.force_sync);
  EXPECT_EQ(c.global_outstanding_limit, 50);
  EXPECT_EQ(c.four_letter_words, (std::set<std::string>{"stat", "ruok", "conf", "srvr"}));
  EXPECT_FALSE(c.admin_enable_server);
  EXPECT_EQ(c.admin_server_port, 9090);
  EXPECT_EQ(c.admin_server_address, "127.0.0.1");
  EXPECT_EQ(c.admin_command_url, "/cmd");
  EXPECT_EQ(c.admin_idle_timeout_ms, 100);
  EXPECT_TRUE(c.skip_acl());
  EXPECT_TRUE(c.extended_types_enabled());
  EXPECT_TRUE(c.enforce_quota());
  EXPECT_EQ(c.super_digest(), "super:abc=");
  EXPECT_FALSE(c.digest_enabled());
  EXPECT_EQ(c.fsync_warning_threshold_ms(), 50);
  EXPECT_EQ(c.max_cnxns(), 10);
  EXPECT_EQ(c.snapshot_compression_method(), "gz");
  EXPECT_EQ(c.commit_log_count(), 600);
  EXPECT_EQ(c.snap_size_limit_kb(), 100);
  EXPECT_FALSE(c.close_session_txn_enabled()) << "a zookeeper.* key keeps its name";
}

TEST(ServerConfigTest, WhitelistStarAllowsEveryWord) {
  const ServerConfig c = parse_ok("dataDir=/d\n4lw.commands.whitelist=*\n").config;
  EXPECT_EQ(c.four_letter_words.size(), kAllFourLetterWords.size());
  EXPECT_TRUE(c.four_letter_words.contains("mntr"));
  EXPECT_TRUE(c.four_letter_words.contains("wchp"));
}

TEST(ServerConfigTest, WhitelistWarnsAboutUnknownWordsAndAddsIsroInReadOnlyMode) {
  LoadedConfig l = parse_ok("dataDir=/d\n4lw.commands.whitelist=ruok,bogus\n",
                            Props{{"readonlymode.enabled", "true"}});
  EXPECT_EQ(l.config.four_letter_words, (std::set<std::string>{"ruok", "bogus", "isro", "srvr"}));
  EXPECT_EQ(
      count_warnings(l, "zoo.cfg:2: 4lw.commands.whitelist: unknown four-letter word 'bogus'"), 1)
      << all_warnings(l);
}

TEST(ServerConfigTest, CommandLinePropertiesOverrideTheFile) {
  LoadedConfig l =
      parse_ok("dataDir=/d\nsnapCount=5000\nforceSync=no\n", Props{{"zookeeper.snapCount", "9000"},
                                                                   {"jute.maxbuffer", "0x200000"},
                                                                   {"zookeeper.forceSync", "yes"}});
  EXPECT_EQ(l.config.snap_count, 9000);
  EXPECT_TRUE(l.config.force_sync);
  EXPECT_EQ(l.config.jute_max_buffer(), 0x200000);
  EXPECT_EQ(l.config.jute_max_buffer_extra_size(), 0x200000);
  EXPECT_EQ(l.config.properties.at("jute.maxbuffer"), "0x200000");
}

TEST(ServerConfigTest, JuteMaxbufferInTheFileIsIgnoredLikeZooKeeperWithAWarning) {
  LoadedConfig l = parse_ok("dataDir=/d\njute.maxbuffer=4194304\n");
  EXPECT_EQ(l.config.jute_max_buffer(), 0xfffff);
  EXPECT_EQ(l.config.properties.at("zookeeper.jute.maxbuffer"), "4194304");
  EXPECT_EQ(count_warnings(l,
                           "zoo.cfg:2: jute.maxbuffer: sets system property "
                           "zookeeper.jute.maxbuffer, which ZooKeeper never reads; pass "
                           "-Djute.maxbuffer=4194304"),
            1)
      << all_warnings(l);
}

TEST(ServerConfigTest, FsyncThresholdPrefersTheZookeeperName) {
  EXPECT_EQ(parse_ok("dataDir=/d\n", Props{{"fsync.warningthresholdms", "30"}})
                .config.fsync_warning_threshold_ms(),
            30);
  EXPECT_EQ(parse_ok("dataDir=/d\nfsync.warningthresholdms=20\n",
                     Props{{"fsync.warningthresholdms", "30"}})
                .config.fsync_warning_threshold_ms(),
            20);
}

TEST(ServerConfigTest, QuorumTlsKeysAreReadAsZooKeeperReadsThem) {
  LoadedConfig l = parse_ok(
      "dataDir=/d\nsslQuorum=true\nportUnification=true\nsslQuorumReloadCertFiles=true\n"
      "ssl.quorum.keyStore.location=/k.pem\nssl.quorum.hostnameVerification=false\n"
      "ssl.quorum.clientAuth=want\n");
  EXPECT_TRUE(l.config.ssl_quorum);
  EXPECT_TRUE(l.config.port_unification);
  EXPECT_TRUE(l.config.ssl_quorum_reload_cert_files);
  EXPECT_EQ(l.config.string_property("zookeeper.ssl.quorum.keyStore.location"), "/k.pem");
  EXPECT_FALSE(l.config.switch_property("zookeeper.ssl.quorum.hostnameVerification"));
  EXPECT_EQ(l.config.string_property("zookeeper.ssl.quorum.clientAuth"), "want");
  EXPECT_TRUE(l.warnings.empty()) << l.warnings.front();
  EXPECT_EQ(parse_error("dataDir=/d\nssl.quorum.clientAuth=sometimes\n"),
            "zoo.cfg:2: ssl.quorum.clientAuth: invalid value 'sometimes' (one of none,want,need)");
  EXPECT_EQ(parse_error("dataDir=/d\nsslQuorum=maybe\n").find("zoo.cfg:2: sslQuorum"), 0u);
}

// The providers ZooKeeper ships are built into Paddock: naming one is no cause for a warning.
TEST(ServerConfigTest, BuiltInAuthProvidersAndTheSaslSectionKeyDoNotWarn) {
  LoadedConfig l = parse_ok(
      "dataDir=/d\nauthProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\n"
      "authProvider.x509= org.apache.zookeeper.server.auth.X509AuthenticationProvider \n"
      "sasl.serverconfig=MyServer\n");
  EXPECT_TRUE(l.warnings.empty()) << l.warnings.front();
  EXPECT_EQ(l.config.string_property("zookeeper.sasl.serverconfig"), "MyServer");
}

TEST(ServerConfigTest, UnsupportedFeaturesWarn) {
  LoadedConfig l = parse_ok(
      "dataDir=/d\nsecureClientPort=2281\nquorum.auth.enableSasl=true\nzookeeper.ssl.context.supplier.class=x\n"
      "authProvider.1=com.example.CustomAuthenticationProvider\n"
      "oraclePath=/o\nmetricsProvider.className=com.example.OtherMetricsProvider\n"
      "metricsProvider.httpPort=7000\nadmin.portUnification=true\n");
  EXPECT_TRUE(l.config.switch_property("zookeeper.admin.portUnification"));  // implemented
  EXPECT_EQ(l.config.secure_client_port, 2281);
  EXPECT_TRUE(l.config.quorum_auth_enable_sasl);  // implemented now: no warning
  EXPECT_EQ(count_warnings(l, "zoo.cfg:4: zookeeper.ssl.context.supplier.class: ignored"), 1);
  EXPECT_EQ(count_warnings(l, "zoo.cfg:5: authProvider.1: ignored: provider class "
                             "com.example.CustomAuthenticationProvider is not loaded"),
            1);
  EXPECT_EQ(count_warnings(l, "zoo.cfg:6: oraclePath: ignored"), 1);
  EXPECT_EQ(count_warnings(l, "zoo.cfg:7: metricsProvider.className: ignored"), 1);
  EXPECT_EQ(l.warnings.size(), 4u) << all_warnings(l);
  EXPECT_FALSE(l.config.metrics_enabled);
}

TEST(ServerConfigTest, PrometheusProviderEnablesMetricsOnItsHostAndPort) {
  LoadedConfig l = parse_ok(
      "dataDir=/d\nmetricsProvider.className=org.apache.zookeeper.metrics.prometheus."
      "PrometheusMetricsProvider\nmetricsProvider.httpPort=7001\n"
      "metricsProvider.httpHost=127.0.0.1\nmetricsProvider.exportJvmInfo=true\n"
      "metricsProvider.numWorkerThreads=2\n");
  EXPECT_TRUE(l.config.metrics_enabled);
  EXPECT_EQ(l.config.metrics_http_port, 7001);
  EXPECT_EQ(l.config.metrics_http_host, "127.0.0.1");
  EXPECT_EQ(count_warnings(l, "zoo.cfg:5: metricsProvider.exportJvmInfo: ignored"), 1);
  EXPECT_EQ(l.warnings.size(), 1u) << all_warnings(l);
}

TEST(ServerConfigTest, MetricsAreOffWithoutThePrometheusProvider) {
  LoadedConfig l = parse_ok("dataDir=/d\nmetricsProvider.httpPort=7001\n");
  EXPECT_FALSE(l.config.metrics_enabled);
  EXPECT_EQ(l.config.metrics_http_port, 7001);
  EXPECT_EQ(l.config.metrics_http_host, "0.0.0.0");
}

TEST(ServerConfigTest, LaterDuplicateKeyWinsWithAWarning) {
  LoadedConfig l = parse_ok("dataDir=/d\nclientPort=1\nclientPort=2\n");
  EXPECT_EQ(l.config.client_port, 2);
  EXPECT_EQ(count_warnings(l, "zoo.cfg:3: clientPort: overrides the value on line 2"), 1);
  EXPECT_EQ(l.config.entries.size(), 3u);
}

TEST(ServerConfigTest, RelativePathsResolveAgainstTheBaseDirectory) {
  LoadedConfig l = parse_ok("dataDir=data\ndataLogDir=./logs/../txlog/\n");
  EXPECT_EQ(l.config.data_dir, "/base/data");
  EXPECT_EQ(l.config.data_log_dir, "/base/txlog");
  EXPECT_EQ(count_warnings(l, "zoo.cfg:1: dataDir: 'data' is relative; using /base/data"), 1);
  EXPECT_EQ(l.warnings.size(), 1u) << "./ marks a relative path as intended";
}

TEST(ServerConfigTest, CommentsContinuationsAndColonSeparatorsAsInARealFile) {
  LoadedConfig l = parse_ok(
      "# The number of milliseconds of each tick\n"
      "tickTime = 2000\n"
      "! also a comment\n"
      "dataDir : /var/lib/\\\n"
      "          zookeeper\n"
      "clientPort 2181\n"
      "   4lw.commands.whitelist=srvr,\\\n"
      "      ruok\n");
  EXPECT_EQ(l.config.tick_time_ms, 2000);
  EXPECT_EQ(l.config.data_dir, "/var/lib/zookeeper");
  EXPECT_EQ(l.config.client_port, 2181);
  EXPECT_TRUE(l.config.four_letter_words.contains("ruok"));
  EXPECT_EQ(l.warnings.size(), 0u) << all_warnings(l);
}

TEST(ServerConfigTest, ClientPortAddressMayBeBracketedIpv6) {
  EXPECT_EQ(
      parse_ok("dataDir=/d\nclientPort=1\nclientPortAddress=[::1]\n").config.client_port_address,
      "::1");
}

TEST(ServerConfigTest, RetainCountAndSnapCountBelowTheMinimumAreRaisedWithAWarning) {
  LoadedConfig l = parse_ok("dataDir=/d\nautopurge.snapRetainCount=1\nsnapCount=1\n");
  EXPECT_EQ(l.config.autopurge_snap_retain_count, 3);
  EXPECT_EQ(l.config.snap_count, 2);
  EXPECT_EQ(count_warnings(l, "zoo.cfg:2: autopurge.snapRetainCount: 1 is below 3; using 3"), 1);
  EXPECT_EQ(count_warnings(l, "zoo.cfg:3: snapCount: snapCount 1 is below 2; using 2"), 1);
}

TEST(ServerConfigTest, TlsKeysAreReadAndBadOnesNameTheLine) {
  LoadedConfig l = parse_ok(
      "dataDir=/d\nsecureClientPort=2281\nsecureClientPortAddress=127.0.0.1\n"
      "ssl.clientAuth=WANT\nssl.keyStore.location=/k.pem\nclient.portUnification=true\n");
  EXPECT_EQ(l.config.secure_client_port, 2281);
  EXPECT_EQ(l.config.secure_client_port_address, "127.0.0.1");
  EXPECT_EQ(l.config.string_property("zookeeper.ssl.clientAuth"), "WANT");
  EXPECT_TRUE(l.config.switch_property("zookeeper.client.portUnification"));
  EXPECT_EQ(l.warnings.size(), 0u) << all_warnings(l);
  EXPECT_EQ(parse_error("dataDir=/d\nssl.clientAuth=sometimes\n"),
            "zoo.cfg:2: ssl.clientAuth: invalid value 'sometimes' (one of none,want,need)");
  EXPECT_EQ(parse_error("dataDir=/d\nssl.keyStore.type=BKS\n"),
            "zoo.cfg:2: ssl.keyStore.type: invalid value 'BKS' (one of PEM,PKCS12,JKS)");
  EXPECT_EQ(parse_error("dataDir=/d\nssl.crl=maybe\n"),
            "zoo.cfg:2: ssl.crl: invalid value 'maybe' (use true/false or yes/no)");
}

TEST(ServerConfigTest, BadValuesAreErrorsNamingFileLineAndKey) {
  EXPECT_EQ(parse_error("dataDir=/d\ntickTime=abc\n"),
            "zoo.cfg:2: tickTime: 'abc' is not a number");
  EXPECT_EQ(parse_error("dataDir=/d\ntickTime=-5\n"),
            "zoo.cfg:2: tickTime: -5 is out of range (1..2147483647)");
  EXPECT_EQ(parse_error("dataDir=/d\ntickTime=0\n"),
            "zoo.cfg:2: tickTime: 0 is out of range (1..2147483647)");
  EXPECT_EQ(parse_error("dataDir=/d\nclientPort=99999\n"),
            "zoo.cfg:2: clientPort: 99999 is out of range (0..65535)");
  EXPECT_EQ(parse_error("dataDir=/d\nclientPort=-3\n"),
            "zoo.cfg:2: clientPort: -3 is out of range (0..65535)");
  EXPECT_EQ(parse_error("dataDir=/d\nmaxClientCnxns=1.5\n"),
            "zoo.cfg:2: maxClientCnxns: '1.5' is not a number");
  EXPECT_EQ(parse_error("dataDir=/d\nstandaloneEnabled=yes\n"),
            "zoo.cfg:2: standaloneEnabled: invalid value 'yes' (use true or false)");
  EXPECT_EQ(parse_error("dataDir=/d\nelectionAlg=1\n"),
            "zoo.cfg:2: electionAlg: electionAlg 1 is invalid; only 3 is supported");
  EXPECT_EQ(parse_error("dataDir=/d\npeerType=leader\n"),
            "zoo.cfg:2: peerType: unrecognised peer type 'leader' (expected participant or "
            "observer)");
  EXPECT_EQ(parse_error("dataDir=/d\nserver.1=h:2888\n"),
            "zoo.cfg:2: server.1: 'h:2888' must be host:quorumPort:electionPort"
            "[:participant|observer]");
  EXPECT_EQ(parse_error("dataDir=\n"), "zoo.cfg:1: dataDir: empty path");
}

TEST(ServerConfigTest, BadPropertyValuesAreErrorsNamingTheirSource) {
  EXPECT_EQ(parse_error("dataDir=/d\nsnapCount=lots\n"),
            "zoo.cfg:2: snapCount: 'lots' is not a number");
  EXPECT_EQ(parse_error("dataDir=/d\nforceSync=maybe\n"),
            "zoo.cfg:2: forceSync: invalid value 'maybe' (use true/false or yes/no)");
  EXPECT_EQ(parse_error("dataDir=/d\nadmin.serverPort=70000\n"),
            "zoo.cfg:2: admin.serverPort: port 70000 is out of range (1..65535)");
  EXPECT_EQ(parse_error("dataDir=/d\n", Props{{"jute.maxbuffer", "big"}}),
            "-Djute.maxbuffer: 'big' is not a number");
  EXPECT_EQ(parse_error("dataDir=/d\nsnapshot.compression.method=zip\n"),
            "zoo.cfg:2: snapshot.compression.method: unknown snapshot compression method 'zip' "
            "(use gz or snappy, or leave it empty)");
}

TEST(ServerConfigTest, WholeConfigErrorsNameTheFile) {
  EXPECT_EQ(parse_error("tickTime=2000\n"), "zoo.cfg: dataDir is not set");
  EXPECT_EQ(parse_error("dataDir=/d\nclientPortAddress=127.0.0.1\n"),
            "zoo.cfg: clientPortAddress is set but clientPort is not");
  EXPECT_EQ(parse_error("dataDir=/d\nminSessionTimeout=100000\n"),
            "zoo.cfg: minSessionTimeout (100000 ms) must not be larger than maxSessionTimeout "
            "(60000 ms)");
}

TEST(ServerConfigTest, AllErrorsAreReportedTogether) {
  EXPECT_EQ(parse_error("tickTime=x\nclientPort=y\n"),
            "zoo.cfg:1: tickTime: 'x' is not a number\n"
            "zoo.cfg:2: clientPort: 'y' is not a number\n"
            "zoo.cfg: dataDir is not set");
}

TEST(ServerConfigTest, MalformedEscapeIsAnError) {
  EXPECT_EQ(parse_error("dataDir=/d\\uZZZZ\n"), "zoo.cfg:1: malformed \\uxxxx escape");
}

TEST(ServerConfigTest, UnknownZookeeperCommandLinePropertyWarns) {
  LoadedConfig l = parse_ok("dataDir=/d\n", Props{{"zookeeper.snapCnt", "1"}, {"user.x", "1"}});
  EXPECT_EQ(count_warnings(l, "-Dzookeeper.snapCnt: not a property ZooKeeper reads"), 1);
  EXPECT_EQ(l.warnings.size(), 1u) << all_warnings(l);
  EXPECT_EQ(l.config.properties.at("user.x"), "1");
}

}  // namespace
}  // namespace paddock::config
