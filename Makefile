# Vitrine — the two commands that do everything: `make demo` and `make test`.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
CORPUS ?= ../shared/corpus/images
DEMO_STORE ?= .vitrine-demo
SWIFT_BUILD_FLAGS ?=

.PHONY: setup build release demo test serve-checks browser-test bench clean

setup:
	@scripts/setup

build: setup
	swift build $(SWIFT_BUILD_FLAGS)

release: setup
	swift build -c release $(SWIFT_BUILD_FLAGS)

# The main job on the corpus, into a fresh store; prints where the report is.
demo: release
	rm -rf $(DEMO_STORE)
	.build/release/vitrine analyze "$(CORPUS)" --store $(DEMO_STORE)
	.build/release/vitrine duplicates --store $(DEMO_STORE) --evaluate ../shared/corpus/neardup_groups.csv > /dev/null || true
	.build/release/vitrine report --store $(DEMO_STORE)

# Every test (unit and end-to-end). Unit tests never time anything.
test: setup
	swift build $(SWIFT_BUILD_FLAGS)
	swift test $(SWIFT_BUILD_FLAGS) 2>&1 | tee .build/test.log; exit $${PIPESTATUS[0]}
	VITRINE=$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path)/vitrine scripts/serve-checks

# `vitrine serve` against a real server on 127.0.0.1: IIIF validator, iiif-prezi3, browser, shutdown.
serve-checks: build
	VITRINE=$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path)/vitrine scripts/serve-checks

# Only the browser part (headless Chromium: JS errors, screenshots in the check store's reports/).
browser-test: build
	VITRINE=$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path)/vitrine scripts/serve-checks --only browser

# Performance figures against Python peers (imagehash, numpy); not part of `make test`.
bench: setup
	bench/run

clean:
	rm -rf .build $(DEMO_STORE)
