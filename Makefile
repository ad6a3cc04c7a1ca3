# minicorn — the two commands a newcomer types are `make run` and `make test`.
# Everything lands in build/ (binaries in build/bin/).

JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
BUILD     ?= build
BUILDTYPE ?= RelWithDebInfo
BIN        = $(BUILD)/bin
# The Makefile's builds treat warnings as errors (a plain `cmake` does not).
CMAKE_FLAGS = -DMINICORN_WERROR=ON
# make build-types: the CMake build types to compile, each in build-<type>/.
BUILD_TYPES ?= Debug Release RelWithDebInfo MinSizeRel
# make fuzz: how long the HTTP parser's fuzzer runs (docs/fuzz.md).
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz

.PHONY: all deps build programs run serve test asan-test tsan-test fuzz build-types bench clean help

all: build

help:
	@echo "make run        build and open the studio: 2 sync workers, gentle mixed traffic"
	@echo "make serve      build and start minicorn serve on 127.0.0.1:8000 (2 sync workers)"
	@echo "make test       build and run the whole test suite, then check every lesson"
	@echo "make asan-test  the suite under AddressSanitizer + UBSan (build-asan/)"
	@echo "make tsan-test  the suite under ThreadSanitizer (build-tsan/)"
	@echo "make build-types  every CMake build type compiles, warnings as errors (build-<type>/)"
	@echo "make fuzz       fuzz the HTTP parser for FUZZ_SECONDS (default 60), the config reader and the"
	@echo "                recording reader for half that each, with clang's libFuzzer ($(FUZZ_BUILD)/)"
	@echo "make bench      speed targets side by side: gunicorn 20.1, nginx, minicorn per model, trace off/on"
	@echo "make clean      remove build directories"

deps:
	@./scripts/install-deps

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILDTYPE) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	@grep -q '^MINICORN_WERROR:BOOL=ON' $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

# Only the two programs (`make run` and `make serve` need nothing else): on a
# fresh clone this skips compiling the test suite, about half the build.
programs: deps $(BUILD)/CMakeCache.txt
	@grep -q '^MINICORN_WERROR:BOOL=ON' $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS) --target minicorn minicorn-studio

# The studio on a scenario that moves at once (2 sync workers, 8 users, a
# gentle mix). Without a display the studio says so and shows the headless
# tools instead, and exits 0.
run: programs
	$(BIN)/minicorn-studio --lessons -k sync -w 2 -c 8 --mix '/io?ms=50:50,/cpu?ms=10:20,/:30'

serve: programs
	@echo
	@echo "minicorn serve: 2 sync workers on http://127.0.0.1:8000 — try, in another terminal:"
	@echo "    curl -i http://127.0.0.1:8000/"
	@echo "    curl -i 'http://127.0.0.1:8000/io?ms=500'"
	@echo "    wrk -t1 -c20 -d5s http://127.0.0.1:8000/"
	@echo "    kill -TTIN \$$(cat $(BUILD)/minicorn.pid)    # one more worker"
	@echo "Ctrl-C stops it."
	@echo
	$(BIN)/minicorn serve -w 2 -k sync --pid $(BUILD)/minicorn.pid

# The unit and process tests, then every lesson checked on the real engine
# (docs/lessons.md): a lesson whose claim does not hold is a failing test.
test: build
	$(BIN)/minicorn_tests --order lex $(TESTFLAGS)
	$(BIN)/minicorn lesson check --all

asan-test: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMINICORN_SANITIZE=address,undefined $(CMAKE_FLAGS)
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    build-asan/bin/minicorn_tests --order lex $(TESTFLAGS)

tsan-test: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DMINICORN_SANITIZE=thread $(CMAKE_FLAGS)
	cmake --build build-tsan -j $(JOBS)
	TSAN_OPTIONS=halt_on_error=1:suppressions=$(CURDIR)/tests/tsan.supp build-tsan/bin/minicorn_tests --order lex $(TESTFLAGS)

# The HTTP parser under libFuzzer (clang, its own build directory): each input
# fed whole, in random pieces and byte by byte must get the same verdict.
fuzz: deps
	cmake -S fuzz -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	./fuzz/run-fuzz $(FUZZ_BUILD)/bin/http_parser_fuzz $(FUZZ_SECONDS) $(FUZZ_BUILD)
	./fuzz/gconf_run $(FUZZ_BUILD)/bin/gconf_fuzz $$(( $(FUZZ_SECONDS) / 2 )) $(FUZZ_BUILD)/gconf
	mkdir -p $(FUZZ_BUILD)/rec/corpus
	$(FUZZ_BUILD)/bin/recording_fuzz -max_total_time=$$(( $(FUZZ_SECONDS) / 2 )) -max_len=4096 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/rec/ $(FUZZ_BUILD)/rec/corpus

# Every build type compiles, warning-free (GCC 12 at -O3 and -Os included).
build-types: deps
	@for t in $(BUILD_TYPES); do \
	    echo "== $$t"; \
	    cmake -S . -B build-$$t -DCMAKE_BUILD_TYPE=$$t $(CMAKE_FLAGS) >/dev/null && \
	    cmake --build build-$$t -j $(JOBS) || exit 1; \
	done

# Every speed target of issue 12 side by side (bench/suite.py); BENCHFLAGS adds options,
# e.g. make bench BENCHFLAGS="--repeat 3 --duration 5".
bench: build
	./bench/run-bench --all $(BENCHFLAGS)

clean:
	rm -rf $(BUILD) build-asan build-tsan $(FUZZ_BUILD) $(foreach t,$(BUILD_TYPES),build-$(t))
