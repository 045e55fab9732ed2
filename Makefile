# The two set-up commands: `make run` and `make test`. Everything else is a helper.
BUILD_DIR ?= build
CONF      ?= conf/zoo.cfg
JOBS      ?= $(shell nproc)

.PHONY: deps configure build run test unit-test clean bench

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

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE 'integration|differential'

clean:
	rm -rf $(BUILD_DIR)
