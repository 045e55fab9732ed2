// The client port over TLS: secureClientPort, client.portUnification, client certificates
// and the x509 subject the sink hears, handshake failures and timeouts, records both ways.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "server/client_port_server.h"
#include "server/test_support.h"
#include "tls/test_certs.h"
#include "tls/tls_context.h"

namespace paddock::server {
namespace {

using testing::BatchSender;
using testing::FakeSink;
using testing::frame;
using testing::OutFrame;
using testing::TestClient;

// A blocking TLS client on a plain socket (OpenSSL's own socket BIO, not the code under
// test), with receive timeouts so a test cannot hang.
class TlsClient {
 public:
  TlsClient(uint16_t port, const tls::SslCtxPtr& ctx) : tcp_(port) {
    timeval tv{10, 0};
    ::setsockopt(fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssl_ = SSL_new(ctx.get());
    SSL_set_fd(ssl_, fd());
    connected_ = SSL_connect(ssl_) == 1;
  }
  ~TlsClient() { SSL_free(ssl_); }
  bool connected() const { return connected_; }
  // The shared contexts enable partial writes (the server writes into memory BIOs), so one
  // SSL_write_ex may take only some records of a large buffer: loop as any caller must.
  bool write(std::string_view bytes) {
    while (!bytes.empty()) {
      size_t n = 0;
      if (SSL_write_ex(ssl_, bytes.data(), bytes.size(), &n) != 1) return false;
      bytes.remove_prefix(n);
    }
    return true;
  }
  std::optional<std::string> read_exact(size_t n) {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      size_t k = 0;
      if (SSL_read_ex(ssl_, out.data() + got, n - got, &k) != 1) return std::nullopt;
      got += k;
    }
    return out;
  }
  void shutdown() { SSL_shutdown(ssl_); }
  // True when the server ends the connection (close_notify, alert or EOF) before any data.
  bool closed_by_server() {
    char c;
    size_t k = 0;
    return SSL_read_ex(ssl_, &c, 1, &k) != 1 && SSL_get_error(ssl_, 0) != SSL_ERROR_WANT_READ;
  }

 private:
  int fd() const { return tcp_.fd(); }
  TestClient tcp_;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
};

class ClientPortTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("paddock_port_tls_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    tls::testing::make_test_pki(dir_.string());
  }
  void TearDown() override {
    sink_.join_answers();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  void start(const std::string& client_auth, bool unified = false,
             std::chrono::milliseconds handshake_timeout = std::chrono::seconds(5)) {
    tls::TlsSettings s;
    s.key_store_location = path("server.pem");
    s.trust_store_location = path("trust.pem");
    s.client_auth = client_auth;
    auto ctx = tls::ServerTlsContext::create(s, std::chrono::milliseconds(0));
    ASSERT_TRUE(ctx.is_ok()) << ctx.error();
    ClientPortOptions o;
    o.port = 0;
    o.tls = *ctx;
    o.secure_port = 0;
    o.port_unification = unified;
    o.tls_handshake_timeout = handshake_timeout;
    o.four_letter_whitelist = {"srvr", "ruok"};
    server_ = std::make_unique<ClientPortServer>(o, sink_);
    Status st = server_->start();
    ASSERT_TRUE(st.is_ok()) << st.message();
    port_ = server_->bound_port();
    secure_port_ = server_->bound_secure_port();
    ASSERT_NE(secure_port_, 0);
    ASSERT_NE(secure_port_, port_);
  }
  tls::SslCtxPtr client_ctx(const std::string& key_store) {
    tls::TlsSettings s;
    if (!key_store.empty()) s.key_store_location = path(key_store);
    s.trust_store_location = path("ca.pem");
    s.protocol = "TLS";
    auto ctx = tls::build_client_context(s);
    EXPECT_TRUE(ctx.is_ok()) << ctx.error();
    return *ctx;
  }
  void echo() {
    sink_.on_frame = [this](pipeline::ConnectionId conn, const std::string& body) {
      sender_.send(*server_, {{conn, frame("re:" + body)}});
    };
  }

  std::filesystem::path dir_;
  BatchSender sender_;  // outlives the server
  FakeSink sink_;
  std::unique_ptr<ClientPortServer> server_;
  uint16_t port_ = 0;
  uint16_t secure_port_ = 0;
};

TEST_F(ClientPortTlsTest, SecurePortAnnouncesTheClientSubjectAfterTheHandshake) {
  start("need");
  echo();
  TlsClient c(secure_port_, client_ctx("client.pem"));
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(sink_.wait_opened(1));
  auto opened = sink_.opened();
  EXPECT_TRUE(opened[0].secure);
  EXPECT_EQ(opened[0].x509_subject, "CN=client,OU=Test,O=Paddock,C=US");
  EXPECT_EQ(opened[0].ip, "127.0.0.1");
  // Small frames each way.
  ASSERT_TRUE(c.write(frame("one") + frame("two")));
  EXPECT_EQ(c.read_exact(4 + 6), frame("re:one"));
  EXPECT_EQ(c.read_exact(4 + 6), frame("re:two"));
  EXPECT_EQ(sink_.frames(opened[0].conn).size(), 2u);
  // Frames of one record, just over one, several, and about the 1 MiB jute maximum.
  for (size_t size : {16000u, 17000u, 40000u, 70000u, (1u << 20) - 8}) {
    const std::string big(size, 'x');
    ASSERT_TRUE(c.write(frame(big))) << size;
    EXPECT_TRUE(c.read_exact(4 + 3 + big.size()) == frame("re:" + big)) << size;
  }
}

// A TLS client that ends with close_notify is a client drop (connection_drop_count), like a
// plain client's end of stream.
TEST_F(ClientPortTlsTest, CloseNotifyCountsAsAClientDrop) {
  start("need");
  echo();
  {
    TlsClient c(secure_port_, client_ctx("client.pem"));
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.write(frame("x")));
    EXPECT_EQ(c.read_exact(4 + 4), frame("re:x"));
    c.shutdown();
  }
  ASSERT_TRUE(sink_.wait_opened(1));
  ASSERT_TRUE(sink_.wait_closed(sink_.opened()[0].conn));
  EXPECT_EQ(server_->client_drops(), 1u);
}

TEST_F(ClientPortTlsTest, FailedHandshakeClosesThatConnectionOnlyAndIsNeverAnnounced) {
  start("need");
  TlsClient no_cert(secure_port_, client_ctx(""));
  // TLS 1.3 may finish the client's side before the server refuses: it then reads the alert.
  EXPECT_TRUE(!no_cert.connected() || no_cert.closed_by_server());
  TlsClient stranger(secure_port_, client_ctx("stranger.pem"));
  EXPECT_TRUE(!stranger.connected() || stranger.closed_by_server());
  TlsClient expired(secure_port_, client_ctx("expired.pem"));
  EXPECT_TRUE(!expired.connected() || expired.closed_by_server());
  TestClient plain(port_);
  ASSERT_TRUE(plain.write(frame("hello")));
  ASSERT_TRUE(sink_.wait_opened(1));
  auto opened = sink_.opened();
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_FALSE(opened[0].secure);
  EXPECT_TRUE(sink_.wait_frames(opened[0].conn, 1));
  EXPECT_TRUE(sink_.closed().empty());
}

TEST_F(ClientPortTlsTest, WantTakesClientsWithAndWithoutCertificates) {
  start("want");
  TlsClient anonymous(secure_port_, client_ctx(""));
  ASSERT_TRUE(anonymous.connected());
  ASSERT_TRUE(anonymous.write(frame("a")));
  ASSERT_TRUE(sink_.wait_opened(1));
  TlsClient named(secure_port_, client_ctx("client.pem"));
  ASSERT_TRUE(named.connected());
  ASSERT_TRUE(sink_.wait_opened(2));
  auto opened = sink_.opened();
  EXPECT_EQ(opened[0].x509_subject, "");
  EXPECT_EQ(opened[1].x509_subject, "CN=client,OU=Test,O=Paddock,C=US");
}

TEST_F(ClientPortTlsTest, UnifiedPortTellsTlsFromPlainByTheFirstByte) {
  start("need", /*unified=*/true);
  echo();
  TestClient plain(port_);
  ASSERT_TRUE(plain.write(frame("plain")));
  EXPECT_EQ(plain.read_exact(4 + 8), frame("re:plain"));
  TlsClient secure(port_, client_ctx("client.pem"));
  ASSERT_TRUE(secure.connected());
  ASSERT_TRUE(secure.write(frame("secure")));
  EXPECT_EQ(secure.read_exact(4 + 9), frame("re:secure"));
  auto opened = sink_.opened();
  ASSERT_EQ(opened.size(), 2u);
  EXPECT_FALSE(opened[0].secure);
  EXPECT_TRUE(opened[1].secure);
  EXPECT_EQ(opened[1].x509_subject, "CN=client,OU=Test,O=Paddock,C=US");
}

TEST_F(ClientPortTlsTest, SilentClientIsClosedAtTheHandshakeTimeout) {
  start("need", /*unified=*/true, std::chrono::milliseconds(200));
  TestClient silent_secure(secure_port_);
  TestClient silent_unified(port_);
  EXPECT_TRUE(silent_secure.read_until_closed(std::chrono::seconds(5)).has_value());
  EXPECT_TRUE(silent_unified.read_until_closed(std::chrono::seconds(5)).has_value());
  EXPECT_TRUE(sink_.opened().empty());
  EXPECT_TRUE(sink_.closed().empty());
}

TEST_F(ClientPortTlsTest, FourLetterWordsWorkOverTls) {
  start("need");
  TlsClient c(secure_port_, client_ctx("client.pem"));
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.write("ruok"));
  EXPECT_EQ(c.read_exact(4), "imok");
}

TEST_F(ClientPortTlsTest, GarbageOnTheSecurePortClosesTheConnection) {
  start("need");
  TestClient garbage(secure_port_);
  ASSERT_TRUE(garbage.write(std::string(64, 'G')));
  EXPECT_TRUE(garbage.read_until_closed(std::chrono::seconds(5)).has_value());
  TlsClient good(secure_port_, client_ctx("client.pem"));
  EXPECT_TRUE(good.connected());
  EXPECT_TRUE(sink_.wait_opened(1));
}

}  // namespace
}  // namespace paddock::server
