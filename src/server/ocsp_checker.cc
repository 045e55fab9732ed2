#include "server/ocsp_checker.h"

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "tls/tls_context.h"

namespace paddock::server {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using CertId = std::unique_ptr<OCSP_CERTID, Deleter<OCSP_CERTID, OCSP_CERTID_free>>;
using Request = std::unique_ptr<OCSP_REQUEST, Deleter<OCSP_REQUEST, OCSP_REQUEST_free>>;
using Response = std::unique_ptr<OCSP_RESPONSE, Deleter<OCSP_RESPONSE, OCSP_RESPONSE_free>>;
using Basic = std::unique_ptr<OCSP_BASICRESP, Deleter<OCSP_BASICRESP, OCSP_BASICRESP_free>>;

void free_strings(STACK_OF(OPENSSL_STRING) * s) { X509_email_free(s); }

// What a cached answer is about: the OCSP CertID (issuer name hash, issuer key hash,
// serial), so two CAs that share a name never share answers.
std::string cache_key(X509* cert, X509* issuer) {
  std::unique_ptr<OCSP_CERTID, void (*)(OCSP_CERTID*)> id(OCSP_cert_to_id(nullptr, cert, issuer),
                                                         OCSP_CERTID_free);
  if (!id) return "";
  unsigned char* der = nullptr;
  const int n = i2d_OCSP_CERTID(id.get(), &der);
  if (n <= 0) return "";
  std::string key(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return key;
}

// Seconds from now to `t` (negative when past).
int64_t seconds_until(const ASN1_GENERALIZEDTIME* t) {
  int days = 0;
  int secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nullptr, t) != 1) return 0;
  return int64_t{days} * 86400 + secs;
}

}  // namespace

struct OcspChecker::Job {
  X509* cert = nullptr;
  X509* issuer = nullptr;
  STACK_OF(X509)* chain = nullptr;
  X509_STORE* store = nullptr;
  std::string key;
  Done done;
  ~Job() {
    X509_free(cert);
    X509_free(issuer);
    sk_X509_pop_free(chain, X509_free);
    X509_STORE_free(store);
  }
};

OcspChecker::OcspChecker(OcspOptions options) : options_(options) {
  for (size_t i = 0; i < std::max<size_t>(1, options_.threads); ++i) {
    workers_.emplace_back([this] { run(); });
  }
}

OcspChecker::~OcspChecker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  for (Job* job : jobs_) {
    job->done("the server is stopping");
    delete job;
  }
}

uint64_t OcspChecker::queries() const {
  std::lock_guard lock(mu_);
  return queries_;
}

void OcspChecker::check(SSL* ssl, Done done) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) {
    done("");  // no client certificate (ssl.clientAuth=want or none): nothing to revoke
    return;
  }
  STACK_OF(X509)* verified = SSL_get0_verified_chain(ssl);
  if (verified == nullptr || sk_X509_num(verified) < 2) {
    done("OCSP: the certificate's issuer is not in the verified chain");
    return;
  }
  auto job = std::make_unique<Job>();
  job->cert = cert;
  X509_up_ref(cert);
  job->issuer = sk_X509_value(verified, 1);
  X509_up_ref(job->issuer);
  job->chain = X509_chain_up_ref(verified);
  job->store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
  X509_STORE_up_ref(job->store);
  job->key = cache_key(job->cert, job->issuer);
  {
    std::unique_lock lock(mu_);
    auto cached = good_.find(job->key);
    if (cached != good_.end() && cached->second > std::chrono::steady_clock::now()) {
      lock.unlock();
      done("");
      return;
    }
    if (stopping_ || jobs_.size() >= options_.max_pending) {
      lock.unlock();
      done("OCSP: too many revocation checks waiting");
      return;
    }
    job->done = std::move(done);
    jobs_.push_back(job.release());
  }
  cv_.notify_one();
}

void OcspChecker::run() {
  for (;;) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job.reset(jobs_.front());
      jobs_.pop_front();
    }
    std::string error = query(*job);
    job->done(std::move(error));
  }
}

std::string OcspChecker::query(const Job& job) {
  std::unique_ptr<STACK_OF(OPENSSL_STRING), decltype(&free_strings)> urls(X509_get1_ocsp(job.cert),
                                                                         free_strings);
  if (!urls || sk_OPENSSL_STRING_num(urls.get()) == 0) {
    return "OCSP: the certificate names no OCSP responder (Authority Information Access)";
  }
  const std::string url = sk_OPENSSL_STRING_value(urls.get(), 0);
  char* host = nullptr;
  char* port = nullptr;
  char* path = nullptr;
  int use_tls = 0;
  if (OCSP_parse_url(url.c_str(), &host, &port, &path, &use_tls) != 1) {
    return "OCSP: cannot parse the responder URL " + url;
  }
  const std::string h = host, p = port, target = path;
  OPENSSL_free(host);
  OPENSSL_free(port);
  OPENSSL_free(path);
  if (use_tls) return "OCSP: an https responder is not supported: " + url;

  CertId id(OCSP_cert_to_id(nullptr, job.cert, job.issuer));
  Request req(OCSP_REQUEST_new());
  if (!id || !req || OCSP_request_add0_id(req.get(), OCSP_CERTID_dup(id.get())) == nullptr ||
      OCSP_request_add1_nonce(req.get(), nullptr, -1) != 1) {
    return "OCSP: cannot build the request: " + tls::openssl_errors();
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_OCSP_REQUEST(req.get(), &der);
  if (der_len <= 0) return "OCSP: cannot encode the request";
  std::string body(reinterpret_cast<char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);

  httplib::Client client(h, std::stoi(p));
  const auto timeout = options_.timeout;
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  {
    std::lock_guard lock(mu_);
    ++queries_;
  }
  auto res = client.Post(target.c_str(), body, "application/ocsp-request");
  if (!res) {
    return fmt::format("OCSP: the responder {} did not answer: {}", url,
                       httplib::to_string(res.error()));
  }
  if (res->status != 200) return fmt::format("OCSP: the responder {} said HTTP {}", url, res->status);
  const auto* in = reinterpret_cast<const unsigned char*>(res->body.data());
  Response resp(d2i_OCSP_RESPONSE(nullptr, &in, static_cast<long>(res->body.size())));
  if (!resp) return "OCSP: the responder's answer does not parse";
  const int status = OCSP_response_status(resp.get());
  if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    return fmt::format("OCSP: the responder refused the request ({})",
                       OCSP_response_status_str(status));
  }
  Basic basic(OCSP_response_get1_basic(resp.get()));
  if (!basic) return "OCSP: the answer holds no basic response";
  if (OCSP_check_nonce(req.get(), basic.get()) == 0) return "OCSP: the answer's nonce does not match";
  if (OCSP_basic_verify(basic.get(), job.chain, job.store, 0) != 1) {
    return "OCSP: the answer is not signed by a trusted responder: " + tls::openssl_errors();
  }
  int cert_status = 0;
  int reason = 0;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (OCSP_resp_find_status(basic.get(), id.get(), &cert_status, &reason, &revoked_at,
                            &this_update, &next_update) != 1) {
    return "OCSP: the answer does not cover this certificate";
  }
  constexpr long kClockSkewSeconds = 300;
  // Without a nextUpdate, thisUpdate itself must be recent (as Java requires): else an old
  // "good" answer, replayed over plain HTTP, could outlive a revocation.
  const long max_age = next_update == nullptr ? kClockSkewSeconds : -1;
  if (OCSP_check_validity(this_update, next_update, kClockSkewSeconds, max_age) != 1) {
    return "OCSP: the answer is out of date";
  }
  if (cert_status == V_OCSP_CERTSTATUS_REVOKED) {
    return fmt::format("OCSP: the certificate is revoked ({})", OCSP_crl_reason_str(reason));
  }
  if (cert_status != V_OCSP_CERTSTATUS_GOOD) return "OCSP: the responder does not know the certificate";
  auto valid_for = options_.max_cache_age;
  if (next_update != nullptr) {
    valid_for = std::min(valid_for, std::chrono::seconds(std::max<int64_t>(0, seconds_until(next_update))));
  }
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  constexpr size_t kMaxCached = 4096;  // distinct certificates remembered
  if (good_.size() >= kMaxCached) std::erase_if(good_, [&](const auto& e) { return e.second <= now; });
  if (good_.size() >= kMaxCached) good_.clear();
  good_[job.key] = now + valid_for;
  return "";
}

}  // namespace paddock::server
