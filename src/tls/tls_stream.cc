#include "tls/tls_stream.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "tls/x509_name.h"

namespace paddock::tls {
namespace {

// A write-only BIO that appends to a std::string: the stream's ciphertext goes straight into
// a buffer whose capacity is kept (a memory BIO would zero its whole buffer on reset).
BIO_METHOD* string_sink_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "paddock-string");
    BIO_meth_set_write_ex(m, [](BIO* b, const char* data, size_t n, size_t* written) {
      static_cast<std::string*>(BIO_get_data(b))->append(data, n);
      *written = n;
      return 1;
    });
    BIO_meth_set_ctrl(m, [](BIO*, int cmd, long, void*) -> long { return cmd == BIO_CTRL_FLUSH; });
    BIO_meth_set_create(m, [](BIO* b) {
      BIO_set_init(b, 1);
      return 1;
    });
    return m;
  }();
  return method;
}

}  // namespace

TlsStream::TlsStream(const SslCtxPtr& ctx, Role role) : ssl_(SSL_new(ctx.get())) {
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(string_sink_method());
  BIO_set_data(out_, &output_);
  BIO_set_mem_eof_return(in_, -1);  // empty means "more to come", not end of stream
  SSL_set_bio(ssl_, in_, out_);
  if (role == Role::kServer) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
  }
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

void TlsStream::feed(const char* data, size_t n) {
  if (n > 0) BIO_write(in_, data, static_cast<int>(n));
}

bool TlsStream::fail(int ret, const char* what) {
  const int err = SSL_get_error(ssl_, ret);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return true;
  if (err == SSL_ERROR_ZERO_RETURN) {
    peer_closed_ = true;
    error_ = "peer closed the TLS stream";
    ERR_clear_error();
    return false;
  }
  std::string detail = ERR_peek_error() != 0 ? openssl_errors() : "";
  const long verify = SSL_get_verify_result(ssl_);
  if (verify != X509_V_OK) {
    detail += fmt::format("{}certificate: {}", detail.empty() ? "" : "; ",
                          X509_verify_cert_error_string(verify));
  }
  error_ = fmt::format("{}: {}", what, detail.empty() ? "connection reset" : detail);
  return false;
}

bool TlsStream::handshake() {
  if (done_) return true;
  const int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    done_ = true;
    return true;
  }
  return fail(ret, "TLS handshake failed");
}

long TlsStream::read(char* buf, size_t cap) {
  size_t n = 0;
  const int ret = SSL_read_ex(ssl_, buf, cap, &n);
  if (ret == 1) return static_cast<long>(n);
  return fail(0, "TLS read failed") ? 0 : -1;
}

bool TlsStream::has_buffered_input() const {
  return SSL_pending(ssl_) > 0 || BIO_ctrl_pending(in_) > 0;
}

bool TlsStream::write(const char* data, size_t n) {
  while (n > 0) {
    size_t written = 0;
    if (SSL_write_ex(ssl_, data, n, &written) != 1) return fail(0, "TLS write failed") && false;
    data += written;
    n -= written;
  }
  return true;
}

void TlsStream::shutdown() {
  if (done_) SSL_shutdown(ssl_);
  ERR_clear_error();
}

std::string_view TlsStream::output() const { return output_; }

void TlsStream::clear_output() { output_.clear(); }

std::string TlsStream::peer_subject() const {
  X509* cert = SSL_get0_peer_certificate(ssl_);
  if (cert == nullptr) return "";
  return java_rfc2253_name(X509_get_subject_name(cert));
}

}  // namespace paddock::tls
