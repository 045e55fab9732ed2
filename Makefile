# The two set-up commands: `make run` and `make test`. Everything else is a helper.
BUILD_DIR ?= build
CONF      ?= conf/zoo.cfg
JOBS      ?= $(shell nproc)

SAN_DIR   ?= build-asan

.PHONY: deps configure build run test unit-test sanitize-test clean bench

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

# Every test: the unit tests again under ASan+UBSan first, then the whole suite (unit,
# integration, differential) on the normal build, whose summary line closes the output.
test: build sanitize-test
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

# Unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize-test: deps
	@[ -f $(SAN_DIR)/build.ninja ] || cmake -S . -B $(SAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPADDOCK_SANITIZE=ON
	cmake --build $(SAN_DIR) -j $(JOBS) --target $$(cmake --build $(SAN_DIR) --target help | sed -n 's/^\([a-z_]*_test\):.*/\1/p' | tr '\n' ' ')
	cd $(SAN_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -LE 'integration|differential'

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE 'integration|differential'

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR)

# Side-by-side benchmark against Apache ZooKeeper 3.8 (bench/compare, docs/benchmarks.md).
# Quick by default; `make bench BENCH_ARGS=--full` for the full run. Uses a Release build of
# its own (-O3, warnings still errors).
BENCH_BUILD_DIR ?= build-release
BENCH_ARGS ?=
bench: deps
	@[ -f $(BENCH_BUILD_DIR)/build.ninja ] || cmake -S . -B $(BENCH_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BENCH_BUILD_DIR) -j $(JOBS) --target paddockd paddock
	PADDOCK_BIN=$(BENCH_BUILD_DIR)/bin bench/compare $(BENCH_ARGS)
