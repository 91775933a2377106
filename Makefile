# Entry points; the README explains each. Tools install into .tools/ (scripts/setup.sh).
SHELL := /bin/bash
.PHONY: setup demo test unit lint bench events sam-validate sam-build clean

setup:
	bash scripts/setup.sh

## The local demo: DynamoDB Local, a bootstrap Administrator token, event files through the function.
demo:
	bash scripts/demo.sh

## Everything CI runs: formatting, lints, unit + integration tests (DynamoDB Local, SAM).
test: setup
	. .tools/env.sh && cargo fmt --check && cargo clippy --all-targets -- -D warnings && cargo test

## Fast tests needing neither Java nor Docker: unit tests, the DynamoDB adapter over the SDK's
## mocks (aws-smithy-mocks), query decoding and the in-process properties.
unit:
	cargo test --lib --test dynamodb_adapter --test query_decoding --test properties

lint:
	cargo fmt --check && cargo clippy --all-targets -- -D warnings

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
