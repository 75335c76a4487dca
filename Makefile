# The README's commands. Every target bootstraps first (idempotent, quiet when nothing is missing).
#   make run [ARGS="--config my.yaml"]   build, then run the collector (default pipeline without ARGS)
#   make test                            build everything, run every test (unit, integration, e2e)
#   make test-asan / fuzz / bench / format / format-check / tidy / clean
SHELL := /bin/bash
JOBS ?= 2
ARGS ?=
BUILD := build/release
ASAN_BUILD := build/asan
# The sanitizer build also holds the fuzzers (one clang build instead of two in CI).
FUZZ_BUILD := $(ASAN_BUILD)
FUZZ_SECONDS ?= 20
CXX_DIRS := src tests bench include

.PHONY: all bootstrap build run test build-asan test-asan fuzz bench format format-check tidy clean

all: build

bootstrap:
	@scripts/bootstrap

# Configure once; afterwards ninja re-runs CMake by itself when a CMakeLists.txt changes.
$(BUILD)/build.ninja: CMakePresets.json
	@cmake --preset release >/dev/null

$(ASAN_BUILD)/build.ninja: CMakePresets.json
	@cmake --preset asan >/dev/null

build: bootstrap $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j$(JOBS)

run: bootstrap $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j$(JOBS) --target agentgate
	$(BUILD)/agentgate run $(ARGS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

build-asan: bootstrap $(ASAN_BUILD)/build.ninja
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

# Unit tests only: integration and e2e tests start the real binary and belong to `make test`.
test-asan: build-asan
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j$(JOBS) -LE 'integration|e2e'

fuzz: bootstrap $(FUZZ_BUILD)/build.ninja
	@scripts/run-fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(JOBS)

bench: bootstrap $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j$(JOBS) --target agentgate agentgate-loadgen
	@bench/scripts/compare_nginx.sh $(BUILD)

format:
	@scripts/cxx-files $(CXX_DIRS) | xargs -0 -r clang-format -i

format-check:
	@scripts/cxx-files $(CXX_DIRS) | xargs -0 -r clang-format --dry-run --Werror

tidy: bootstrap $(BUILD)/build.ninja
	@cmake --build $(BUILD) -j$(JOBS) --target agentgate
	@scripts/cxx-files src | grep -z '\.cc$$' | xargs -0 -r run-clang-tidy-14 -quiet -j $(JOBS) -p $(BUILD)

clean:
	rm -rf build
