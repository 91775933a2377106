# Entry points; the README explains each. Tools install into .tools/ (scripts/setup.sh).
SHELL := /bin/bash
.PHONY: setup demo local-api test unit lint bench proptest-long fuzz events sam-validate sam-build clean

setup:
	bash scripts/setup.sh --with-cargo-deny

## The local demo: DynamoDB Local, a bootstrap Administrator token, event files through the function.
demo:
	bash scripts/demo.sh

## The API on http://127.0.0.1:3000 through `sam local start-api` (Docker) and DynamoDB Local,
## with a new Administrator token printed; Ctrl-C stops everything it started.
local-api:
	bash scripts/local-api.sh

## Everything CI runs: formatting, lints, unit + integration tests (DynamoDB Local, SAM).
## `sam build` runs once (reused while up to date) and its directory goes to the tests in
## SAM_BUILD_DIR; scripts/docker.sh provides Docker for `sam local` (SAM_LOCAL_IMAGE_ARGS)
## and stops whatever it started when `cargo test` ends.
test: setup
	. .tools/env.sh && cargo fmt --check && cargo clippy --locked --all-targets --workspace -- -D warnings \
		&& cargo deny --frozen check --hide-inclusion-graph licenses bans sources \
		&& SAM_BUILD_DIR="$$(bash scripts/sam-build.sh)" && export SAM_BUILD_DIR \
		&& bash scripts/docker.sh run -- cargo test --locked --workspace

## Fast tests needing neither Java nor Docker: unit tests, the HTTP adapter over the in-memory
## store (tests/api.rs), the DynamoDB adapter over the SDK's mocks (aws-smithy-mocks), query
## decoding, the in-process properties and the test kit's own.
unit:
	cargo test --lib --test api --test dynamodb_adapter --test query_decoding --test properties \
		&& cargo test -p testkit

lint:
	cargo fmt --check && cargo clippy --locked --all-targets --workspace -- -D warnings

## Long property-test run, not part of CI: 10^6 cases per property (PROPTEST_CASES), timed.
proptest-long:
	@start=$$(date +%s); PROPTEST_CASES=$${PROPTEST_CASES:-1000000} cargo test --release --test properties -- --nocapture; \
	echo "proptest-long: $$(( $$(date +%s) - start )) s for $${PROPTEST_CASES:-1000000} cases per property"

## libFuzzer targets of fuzz/ (README, "Fuzzing"), FUZZ_SECONDS each (default 60); not in CI.
## Needs `cargo install cargo-fuzz`; stable Rust via RUSTC_BOOTSTRAP=1, no sanitizer. The event
## target starts from the events/ files; corpora and crash inputs stay in fuzz/ (git-ignored).
FUZZ_SECONDS ?= 60
fuzz:
	mkdir -p fuzz/corpus/event && cp events/*.json fuzz/corpus/event/
	cd fuzz && for t in event credential query item; do \
		RUSTC_BOOTSTRAP=1 cargo fuzz run -s none $$t -- -max_total_time=$(FUZZ_SECONDS) \
			-rss_limit_mb=2048 2>&1 | tee "target/fuzz-$$t.log" | grep -E '^(Done|==|INFO: seed|.*(panicked|Test unit written))' ; \
	done

bench: setup
	bash scripts/bench.sh

## Regenerate events/*.json from SAM's templates in events/raw/.
events:
	python3 scripts/make-events.py

sam-validate: setup
	. .tools/env.sh && sam validate --lint --region us-east-1

sam-build: setup
	. .tools/env.sh && sam build

clean:
	cargo clean; rm -rf .aws-sam
