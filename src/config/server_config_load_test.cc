// load_server_config and the paddockd command line, against real files in a temp dir.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/server_config.h"

namespace paddock::config {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "paddock-config-XXXXXX").string();
    PADDOCK_ASSERT(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, std::string_view content) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::string path_;
};

TEST(LoadServerConfigTest, MissingFileIsAnErrorNamingIt) {
  TempDir dir;
  Result<LoadedConfig> r = load_server_config(dir.path() + "/nope.cfg", {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error(),
            dir.path() + "/nope.cfg: cannot read config file: No such file or directory");
}

TEST(LoadServerConfigTest, LoadsStandaloneConfigWithProperties) {
  TempDir dir;
  std::string cfg =
      dir.write("zoo.cfg", "dataDir=" + dir.path() + "\nclientPort=2181\nsnapCount=10\n");
  Result<LoadedConfig> r = load_server_config(cfg, {{"zookeeper.snapCount", "20"}});
  ASSERT_TRUE(r.is_ok()) << r.error();
  EXPECT_EQ(r->config.config_path, cfg);
  EXPECT_EQ(r->config.data_dir, dir.path());
  EXPECT_EQ(r->config.snap_count, 20);
  EXPECT_TRUE(r->warnings.empty());
}

TEST(LoadServerConfigTest, ReadsMyidFromDataDir) {
  TempDir dir;
  std::string cfg = dir.write("zoo.cfg", "dataDir=" + dir.path() +
                                             "\ninitLimit=5\nsyncLimit=2\nserver.1=h:1:2;2181\n"
                                             "server.2=h:3:4;2182\nserver.3=h:5:6;2183\n");
  Result<LoadedConfig> missing = load_server_config(cfg, {});
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.error().rfind(dir.path() + "/myid: myid file is missing", 0), 0u)
      << missing.error();
  dir.write("myid", "2\n");
  Result<LoadedConfig> r = load_server_config(cfg, {});
  ASSERT_TRUE(r.is_ok()) << r.error();
  EXPECT_EQ(r->config.my_id, 2);
  EXPECT_EQ(r->config.client_port, 2182);
  dir.write("myid", "two\n");
  Result<LoadedConfig> bad = load_server_config(cfg, {});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.error(), dir.path() + "/myid: 'two' is not a server id (a decimal number)");
}

TEST(LoadServerConfigTest, ReadsTheDynamicConfigFile) {
  TempDir dir;
  std::string dyn = dir.write("zoo.cfg.dynamic",
                              "server.1=h:1:2;2181\nserver.2=h:3:4;2182\n"
                              "server.3=h:5:6;2183\nversion=1\n");
  std::string cfg =
      dir.write("zoo.cfg", "dataDir=" + dir.path() +
                               "\ninitLimit=5\nsyncLimit=2\ndynamicConfigFile=" + dyn + "\n");
  dir.write("myid", "1");
  Result<LoadedConfig> r = load_server_config(cfg, {});
  ASSERT_TRUE(r.is_ok()) << r.error();
  EXPECT_EQ(r->config.servers.size(), 3u);
  EXPECT_EQ(r->config.client_port, 2181);
  EXPECT_EQ(r->config.config_version, 1);
  std::filesystem::remove(dyn);
  Result<LoadedConfig> gone = load_server_config(cfg, {});
  ASSERT_FALSE(gone.is_ok());
  EXPECT_EQ(gone.error(),
            cfg + ": dynamicConfigFile " + dyn + ": cannot read: No such file or directory");
}

Result<CommandLine> parse_args(std::vector<const char*> args) {
  args.insert(args.begin(), "paddockd");
  return parse_paddockd_command_line(static_cast<int>(args.size()), args.data());
}

TEST(PaddockdCommandLineTest, PropertiesAndConfigPath) {
  Result<CommandLine> cl =
      parse_args({"-Djute.maxbuffer=4194304", "-Dzookeeper.a=b=c", "-Dflag", "conf/zoo.cfg"});
  ASSERT_TRUE(cl.is_ok()) << cl.error();
  EXPECT_EQ(cl->config_path, "conf/zoo.cfg");
  EXPECT_EQ(cl->system_properties,
            (std::map<std::string, std::string>{
                {"jute.maxbuffer", "4194304"}, {"zookeeper.a", "b=c"}, {"flag", ""}}));
  EXPECT_FALSE(cl->help);
}

TEST(PaddockdCommandLineTest, UsageErrors) {
  EXPECT_EQ(parse_args({}).error(), "missing the config file argument");
  EXPECT_EQ(parse_args({"--port", "1"}).error(), "unknown option '--port'");
  EXPECT_EQ(parse_args({"-D=1", "zoo.cfg"}).error(), "'-D=1': missing property name");
  EXPECT_EQ(parse_args({"1", "2", "3", "4", "5"}).error(), "too many arguments (5)");
  EXPECT_TRUE(parse_args({"--help"})->help);
  EXPECT_TRUE(parse_args({"--", "-odd-name.cfg"}).is_ok());
}

TEST(PaddockdCommandLineTest, PortAndDataDirFormBecomesAnInlineConfig) {
  Result<CommandLine> cl = parse_args({"-Dzookeeper.snapCount=7", "2181", "/var/zk", "2000", "10"});
  ASSERT_TRUE(cl.is_ok()) << cl.error();
  EXPECT_TRUE(cl->config_path.empty());
  Result<LoadedConfig> l = load_server_config(*cl);
  ASSERT_TRUE(l.is_ok()) << l.error();
  EXPECT_EQ(l->config.client_port, 2181);
  EXPECT_EQ(l->config.data_dir, "/var/zk");
  EXPECT_EQ(l->config.tick_time_ms, 2000);
  EXPECT_EQ(l->config.max_client_cnxns, 10);
  EXPECT_EQ(l->config.snap_count, 7);
  Result<LoadedConfig> bad = load_server_config(*parse_args({"port", "/var/zk"}));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.error(), "<command line>:1: clientPort: 'port' is not a number");
}

}  // namespace
}  // namespace paddock::config
