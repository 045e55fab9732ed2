#!/usr/bin/env bash
# Installs the Debian packages Paddock builds, tests and benchmarks with, only those missing.
set -euo pipefail
packages=(
  cmake ninja-build g++ make            # toolchain
  libgtest-dev libgmock-dev             # unit tests
  libbenchmark-dev                      # micro-benchmarks
  libasio-dev                           # network event loop (standalone asio)
  libspdlog-dev libfmt-dev              # logging and formatting
  libcli11-dev                          # command-line parsing for paddock/paddockd
  nlohmann-json3-dev                    # JSON output (admin endpoint, --json dumps)
  libcpp-httplib-dev                    # HTTP for /metrics, the admin server, OCSP queries
  libzstd-dev                           # snapshot compression
  libssl-dev                            # SHA-1 for digest ACLs, TLS (client port, peers, admin)
  openssl                               # the TLS tests' certificates, CRL and OCSP responder
  libjemalloc-dev                       # paddockd's allocator (cross-thread alloc/free)
  libedit-dev                           # line editing, history, completion in `paddock shell`
  tmux                                  # drives `paddock shell` through a real terminal in tests
  zookeeper zookeeper-bin libzookeeper-mt-dev   # reference server and C client for tests
  python3-kazoo                         # Python client used by integration tests
  prometheus                            # scrapes paddockd's /metrics in its integration test
  libsasl2-dev libsasl2-modules libsasl2-modules-gssapi-mit   # SASL (DIGEST-MD5, Kerberos GSSAPI)
  krb5-kdc krb5-admin-server krb5-user  # a real MIT KDC started by the Kerberos tests
  python3-kerberos  # GSSAPI for kazoo's SASL (pure-sasl) in the Kerberos tests
  clang                                 # libFuzzer targets (make fuzz)
  chromium chromium-driver python3-selenium   # the web console's browser test
  libsystemd-dev                        # sd_notify for the systemd unit (Type=notify)
  lintian dpkg-dev                      # checks the Debian package built by make package
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches the web console's front-end dependency (uPlot) at build time. Debian packs it as
# `npm`; NodeSource's `nodejs` carries its own, which must not be replaced: ask for the
# command, not the package.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
