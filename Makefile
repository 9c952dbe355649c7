# lambda-mcp: every entry point. `make run` and `make test` do all set-up on a fresh Debian 12 machine.
JOBS       ?= $(shell nproc)
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=
# Line tables only (-g1) in the optimized builds: backtraces and sanitizer reports still name file:line, and a
# build compiles about a third faster than with full -g (what keeps `make test` inside CI's budget).
OPT_G1 = "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O$(1) -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O$(1) -g1 -DNDEBUG"

.PHONY: all setup configure build run test unit-test lint lint-fix asan-build asan-test tsan-test bench fuzz \
        fuzz-test clean

all: build

setup:
	@./scripts/setup.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(call OPT_G1,2) $(CMAKE_FLAGS)

configure: setup $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: the local Lambda endpoint with the sample functions, and lambda-mcp in front of it. Installs
# and builds only what that needs (lambda-mcp, whose `local` subcommand is the endpoint); the build's output
# goes to $(BUILD)/make-run.log.
run:
	@./scripts/setup.sh --run
	@./scripts/build_quiet.sh $(BUILD) $(JOBS) lambda-mcp -- -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  $(call OPT_G1,2) $(CMAKE_FLAGS)
	@./scripts/run.sh

# Everything: unit, integration and end-to-end tests and the lint checks (layering, clang-format, clang-tidy);
# then the unit and integration tests again under ASan+UBSan with a short run of every fuzz target; then under TSan.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600
	$(MAKE) asan-test
	$(MAKE) tsan-test

unit-test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

# The layering check, clang-format and clang-tidy on every unit (`make test` runs them too, CTest label "lint",
# with clang-tidy on the units changed since tests/lint/tidy-baseline). On a clean, committed tree it moves
# that baseline to HEAD.
lint: configure
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L lint -E lint_tidy --timeout 600
	./scripts/lint.sh --check --tidy-only -j $(JOBS) -p $(BUILD)/lint-db
	@if git diff --quiet HEAD && [ -z "$$(git ls-files --others --exclude-standard)" ]; then \
	  git rev-parse HEAD >tests/lint/tidy-baseline; echo "lint: every unit clean at HEAD; tests/lint/tidy-baseline moved (commit it)"; \
	else echo "lint: every unit clean; the tree has uncommitted changes, so tests/lint/tidy-baseline stays"; fi

# Braces (clang-tidy's readability-braces-around-statements) and clang-format applied to our sources.
lint-fix: setup
	./scripts/lint.sh --fix -j $(JOBS)

# One clang build (-O0, so it compiles fast) with ASan+UBSan and libFuzzer's coverage: the unit and integration
# tests and the fuzz targets (their seeds and regressions replayed as CTest cases) all run in it.
asan-build: setup
	CC=clang CXX=clang++ cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLMCP_FUZZ=ON -DLMCP_BENCH=OFF \
	  -DLMCP_E2E=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)

asan-test: asan-build
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -L "unit|integration" --timeout 600
	$(MAKE) fuzz-test

# The concurrent layers' unit tests and the integration tests under ThreadSanitizer.
# setarch -R: gcc 12's TSan cannot map its shadow under the kernel's default ASLR entropy.
# tests/sanitizers/tsan.supp says why the one suppression (uninstrumented cpp-httplib) is there.
tsan-test: setup
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(call OPT_G1,1) -DLMCP_TSAN=ON -DLMCP_BENCH=OFF \
	  -DLMCP_E2E=OFF
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target lmcp_tsan_tests
	cd $(TSAN_BUILD) && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/sanitizers/tsan.supp" \
	  setarch $$(uname -m) -R ctest --output-on-failure -j $(JOBS) -L "unit|integration" -E "_NOT_BUILT|fuzz_replay" \
	  --timeout 600

bench: setup
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DLMCP_E2E=OFF
	cmake --build build-release -j $(JOBS) --target lmcp_bench_all
	./bench/run.sh build-release

# Longer fuzzing (`make fuzz FUZZ_SECONDS=300`) in its own optimized build, where the targets run several times
# more executions per second than the -O0 ones `make test` runs.
fuzz: setup
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(call OPT_G1,1) -DLMCP_FUZZ=ON \
	  -DLMCP_BENCH=OFF -DLMCP_E2E=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target lmcp_fuzz_all
	./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(JOBS)

# The short fuzz run that `make test` includes (after asan-test's build).
fuzz-test:
	./fuzz/run.sh $(ASAN_BUILD) 20 $(JOBS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD) build-release build-lint
