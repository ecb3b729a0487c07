# superlearner — `make demo` runs the tour, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libreadline-dev libsqlite3-dev libyaml-dev
# What the tests drive for real: the three shells, mandoc and man for the man pages, tmux as the terminal.
# promtool (Debian's prometheus package) checks the live /metrics. Program children run python3's
# http.server, sh and sleep. Playwriter drives Debian's chromium through chromium-driver. The example
# scripts talk to their services with curl.
TEST_PACKAGES := curl bash-completion zsh fish mandoc man-db tmux prometheus python3 chromium chromium-driver etcd-server graphviz

.PHONY: all build release startup-order demo test lint format fuzz deps testdeps pydeps docs examples completions man bench soak install install-files clean

all: build

# System packages the build links against; installed only when missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

testdeps:
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Regenerate the committed completion scripts and man pages from the command tree.
completions: build
	for shell in bash zsh fish; do $$($(SWIFT) build --show-bin-path)/superlearner completion $$shell > Completions/superlearner.$$shell; done

man: build
	rm -f man/*.1 man/*.5
	$$($(SWIFT) build --show-bin-path)/superlearner __man man

# The external checkers the tests run: the OpenAPI validator on the generated document, schemathesis
# against the live daemon.
pydeps:
	@python3 -c "import openapi_spec_validator" 2>/dev/null || python3 -m pip install -q openapi-spec-validator
	@command -v schemathesis >/dev/null 2>&1 || python3 -m pip install -q schemathesis

docs: deps
	SUPERLEARNER_WRITE_DOCS=1 $(SWIFT) test --filter "DocumentationTests|CommandReferenceTests|TelemetryReferenceTests|ArchitectureTests|SpecFileReferenceTests|RouteReferenceTests"

build: deps
	$(SWIFT) build --product superlearner

demo: build
	$$($(SWIFT) build --show-bin-path)/superlearner demo

# Every Swift file we own, formatted by the toolchain's swift-format with the committed .swift-format.
SWIFT_FILES := Package.swift Sources Tests Fuzz/Sources Benchmarks/Package.swift Benchmarks/Sources \
	Examples/Package.swift Examples/BasicSupervision/Sources Examples/TodoService/Sources \
	Examples/TestingPatterns/Sources Examples/TestingPatterns/Tests Examples/PageCheck/Sources Examples/PageCheck/Tests

lint:
	$(SWIFT) format lint --strict --recursive $(SWIFT_FILES)

format:
	$(SWIFT) format format --in-place --recursive $(SWIFT_FILES)

# Suites run in parallel, and eight browsers at once on two cores once kept a page load past 30 s: at
# most this many run at once (Playwriter counts them across the test process and the binaries it starts).
TEST_BROWSERS ?= 2
# Even two at once, beside a thousand-process dashboard, etcd and schemathesis, once kept a first page load
# past 30 s on CI: a slow machine is not a failure there, a page that never loads still is.
TEST_BROWSER_TIMEOUT ?= 120

test: deps testdeps pydeps
	$(MAKE) lint
	$(MAKE) examples
	$(SWIFT) build
	$(SWIFT) build --build-tests
	PLAYWRITER_MAX_BROWSERS=$(TEST_BROWSERS) PLAYWRITER_COMMAND_TIMEOUT=$(TEST_BROWSER_TIMEOUT) $(SWIFT) test --skip-build 2>&1 | tee .build/test.log; exit $${PIPESTATUS[0]}

# libFuzzer on the spec parser (YAML and JSON), the JSON body decoder and the command-line parser, for
# FUZZ_SECONDS each. New inputs go to a scratch corpus; a crash is written to Fuzz/Crashes/ (commit it: make
# test replays it from then on). Not part of `make test`: run it nightly or before a release.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := FuzzSpecParser:spec FuzzJSONBody:json FuzzCommandLine:commandline
# Coverage and AddressSanitizer on every module (leak detection off: it takes Swift's lazily initialised
# globals for leaks), and libFuzzer's driver without its main: SwiftPM links each
# executable through the target's own main, which hands the process to LLVMFuzzerRunDriver.
FUZZ_FLAGS = -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,pc-table,inline-8bit-counters \
	-Xswiftc -DFUZZING -Xcc -fsanitize=fuzzer-no-link \
	-Xlinker $$(find $$(dirname $$(readlink -f $$(command -v swiftc)))/../lib/clang -name 'libclang_rt.fuzzer_no_main-x86_64.a' | head -1) \
	-Xlinker -lstdc++
fuzz: deps
	for target in $(FUZZ_TARGETS); do \
		$(SWIFT) build --scratch-path .build-fuzz $(FUZZ_FLAGS) --product $${target%%:*} || exit 1; \
	done
	for target in $(FUZZ_TARGETS); do \
		name=$${target%%:*}; corpus=$${target##*:}; mkdir -p .build-fuzz/corpus/$$corpus; \
		ASAN_OPTIONS=detect_leaks=0 $$($(SWIFT) build --scratch-path .build-fuzz --show-bin-path)/$$name -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=Fuzz/Crashes/$$name- .build-fuzz/corpus/$$corpus Fuzz/Corpus/$$corpus || exit 1; \
	done

# The examples: one package (Examples/Package.swift) so they share one build. BasicSupervision runs and
# must exit 0, the Swift examples' tests pass; the script examples (CrashRecovery, SandboxIsolation,
# TodoService, DistributedCache) are run against the real binary by ExampleScriptTests in `make test`.
examples: deps testdeps
	cd Examples && $(SWIFT) build --build-tests
	cd Examples && $(SWIFT) run --skip-build BasicSupervision
	cd Examples && $(SWIFT) test --skip-build

# Every figure of docs/performance.md: the runtime beside BEAM, the daemon and the command line beside
# supervisord, growth from 1,000 to 10,000 sandboxes, and a short soak. Release builds; minutes, not seconds.
bench:
	Benchmarks/compare-with-beam --runs 3
	Benchmarks/compare-daemon
	Benchmarks/scale
	Benchmarks/soak 30000 10000

# Memory that stays flat: 100,000 create + experiment + destroy cycles, the RSS every 10,000.
soak:
	Benchmarks/soak

# The binary (a release build), the completion scripts and the man pages, where bash-completion, zsh,
# fish and man look under PREFIX. install-files installs all but the binary, without building.
# The shipped binary: one static executable. Without a dynamic loader there are no symbol lookups and no
# relocations at start, which were most of a command's time: `superlearner --version` takes 1.2 ms instead
# of 4.2 ms with only a static standard library (docs/performance.md). readline needs terminfo spelled out.
# Generic metadata is reached through its accessor functions rather than by mangled name: decoding a name
# checks the type's constraints at run time, and the first check of a conformance scans all 5,861 of the
# binary's conformance records (a fifth of `sandbox list`'s instructions; docs/performance.md).
# The code and data a command touches from exec to exit are laid out together (lld, one section per
# function, the symbol list in Sources/superlearner/startup.order, written by `make startup-order`):
# scattered over the binary's 19 MB of code they cost `sandbox list` 113 page faults in .text, gathered
# 25-28, and `--version` starts as fast as the hello (docs/performance.md). SwiftPM does not relink when only
# the list changes, so a newer list removes the binary first.
STARTUP_ORDER := $(CURDIR)/Sources/superlearner/startup.order
RELEASE_FLAGS := -c release --scratch-path .build-release -Xswiftc -static-executable -Xlinker -ltinfo \
	-Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
	-Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections -Xcc -fdata-sections \
	-Xswiftc -use-ld=lld -Xlinker --symbol-ordering-file=$(STARTUP_ORDER) -Xlinker --no-warn-symbol-ordering
release: deps
	@if [ "$(STARTUP_ORDER)" -nt .build-release/release/superlearner ]; then rm -f .build-release/release/superlearner; fi
	$(SWIFT) build $(RELEASE_FLAGS) --product superlearner

# Rewrites Sources/superlearner/startup.order from what everyday commands touch (valgrind); then `make release`.
startup-order:
	Benchmarks/startup-order

install: release install-files
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/superlearner $(DESTDIR)$(PREFIX)/bin/superlearner

install-files:
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0644 Completions/superlearner.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/superlearner
	install -m 0644 Completions/superlearner.zsh $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_superlearner
	install -m 0644 Completions/superlearner.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/superlearner.fish
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/

clean:
	rm -rf .build
