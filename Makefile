# The two set-up commands: `make run` and `make test`. Everything else is a helper.
BUILD_DIR ?= build
CONF      ?= conf/zoo.cfg
JOBS      ?= $(shell nproc)

SAN_DIR   ?= build-asan
TSAN_DIR  ?= build-tsan
# The trees that exist only to run tests (ASan, TSan, fuzz) are unity builds (CMake's
# CMAKE_UNITY_BUILD: a target's sources compiled in batches of 8, so the headers and
# templates they share are parsed and instantiated once per batch, not once per file). A
# clean `make test` builds four trees on CI's two cores; unity halves the ASan one (949 ->
# 475 s on this VM). The normal build stays one object per file: an incremental rebuild
# recompiles only the file touched, and a file that lacks an #include of its own fails there
# instead of compiling by luck after its batch neighbour. TEST_UNITY=OFF configures a test
# tree (one not configured yet) one object per file too.
TEST_UNITY ?= ON
# The layers with threads of their own (the pipeline thread adapter, the log writer, the
# snapshot writer, the outage handler, purge, the peer and client-port transports, the
# ensemble member's links, in-process ensembles, the client library, the recipes' leader
# latch and election threads, the shell's client session and its completion wait).
TSAN_LAYERS = pipeline storage durable peer ensemble server client recipes shell

.PHONY: deps configure build run run-ensemble test unit-test sanitize-test tsan-test clean bench \
        fuzz fuzz-build fuzz-test package

deps:
	@scripts/install-deps.sh

configure: deps
	@[ -f $(BUILD_DIR)/build.ninja ] || cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Starts a standalone server in the foreground on port 2181, data under ./data.
run: build
	@mkdir -p data
	$(BUILD_DIR)/bin/paddockd $(CONF)

# Starts a local 3-server ensemble in the foreground (client ports 2181-2183, quorum
# 2888-2890, election 3888-3890; configs and data under ./data/ensemble). Ctrl-C stops it.
run-ensemble: build
	scripts/run-ensemble.sh

# Every test: the unit tests again under ASan+UBSan and the threaded layers' tests under
# ThreadSanitizer first, then the whole suite (unit, integration, differential) on the
# normal build, whose summary line closes the output.
test: build sanitize-test tsan-test fuzz-test
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

# Unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize-test: deps
	@[ -f $(SAN_DIR)/build.ninja ] || cmake -S . -B $(SAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPADDOCK_SANITIZE=ON \
	  -DCMAKE_UNITY_BUILD=$(TEST_UNITY)
	cmake --build $(SAN_DIR) -j $(JOBS) --target $$(cmake --build $(SAN_DIR) --target help | sed -n 's/^\([a-z_]*_test\):.*/\1/p' | tr '\n' ' ')
	cd $(SAN_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -LE 'integration|differential'

# The unit tests of the layers that run threads, built with ThreadSanitizer.
tsan-test: deps
	@[ -f $(TSAN_DIR)/build.ninja ] || cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPADDOCK_TSAN=ON \
	  -DCMAKE_UNITY_BUILD=$(TEST_UNITY)
	cmake --build $(TSAN_DIR) -j $(JOBS) --target $(addsuffix _test,$(TSAN_LAYERS))
	cd $(TSAN_DIR) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -R '^($(subst $(eval) ,|,$(TSAN_LAYERS)))\.'

# The Debian package of the normal build's binaries (packaging/): CPack writes
# $(BUILD_DIR)/paddock_<version>_<arch>.deb, then lintian and systemd-analyze verify check it.
# tests/integration/test_package.py (in make test) packs and installs it into a throw-away root.
package: build
	cd $(BUILD_DIR) && cpack -G DEB
	packaging/check-package.sh $$(ls -t $(BUILD_DIR)/paddock_*.deb | head -1)

# libFuzzer targets, one per decoder (fuzz/README.md), in a clang build of their own that
# compiles only the layers they link. `make test` runs each FUZZ_RUNS times over its seed
# corpus; `make fuzz` runs each for FUZZ_SECONDS (new inputs kept in $(FUZZ_DIR)/fuzz-corpus,
# crashes in $(FUZZ_DIR)/fuzz-crashes).
FUZZ_DIR     ?= build-fuzz
FUZZ_RUNS    ?= 3000
FUZZ_SECONDS ?= 300
fuzz-build: deps
	@[ -f $(FUZZ_DIR)/build.ninja ] || CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPADDOCK_FUZZ=ON -DPADDOCK_WERROR=OFF \
	  -DCMAKE_UNITY_BUILD=$(TEST_UNITY)
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets

fuzz-test: fuzz-build
	fuzz/run.sh $(FUZZ_DIR) runs $(FUZZ_RUNS)

fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_DIR) seconds $(FUZZ_SECONDS)

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE 'integration|differential'

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR) $(TSAN_DIR) $(FUZZ_DIR)

# Side-by-side benchmark against Apache ZooKeeper 3.8 (bench/compare, docs/benchmarks.md).
# Quick by default; `make bench BENCH_ARGS=--full` for the full run. 3-server ensembles of
# each (issue 9): `make bench BENCH_ARGS="--ensemble --full --nice -10"`. Uses a Release build
# of its own (-O3, warnings still errors). Also builds bench/client_cost's two programs (the
# client library's CPU per op next to ZooKeeper's C client): bench/client_cost.py runs them.
BENCH_BUILD_DIR ?= build-release
BENCH_ARGS ?=
bench: deps
	@[ -f $(BENCH_BUILD_DIR)/build.ninja ] || cmake -S . -B $(BENCH_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BENCH_BUILD_DIR) -j $(JOBS) --target paddockd paddock paddock_client_cost zk_client_cost
	PADDOCK_BIN=$(BENCH_BUILD_DIR)/bin bench/compare $(BENCH_ARGS)
