# The project's one entry point. `make ci` is what CI runs (.ci/run calls it), every part in order;
# each part also runs alone. `make setup` installs what the parts need (idempotent); the parts
# themselves install nothing and say so when something is missing.
#
#   make setup         wasm32 and aarch64 targets, wasm-bindgen-cli (Cargo.lock's version), cargo-deny,
#                      cargo-fuzz, Debian's chromium, chromedriver and curl, npm packages, .venv with
#                      maturin/pytest/mypy/ziglang/auditwheel
#   make check         format, references, versions, this Makefile's parts, clippy (native and wasm32),
#                      rustdoc with warnings denied, the core's tests: a few minutes warm
#   make test-rust     the Rust tests of the crates that have no part of their own (Python binding,
#                      sans-IO probe, demo, the axum recipe)
#   make test-cli      the `alipay` CLI through the built binary
#   make test-gateway  the local test gateway end to end and under load, the demo, the official Node SDK
#   make test-python   the Python package: wheel, install from source, pytest, stubtest, mypy --strict;
#                      the FastAPI and Flask recipes
#   make test-js       the npm package: wasm-bindgen tests under Node, node --test, Node 18/Bun/Deno/workerd;
#                      the Express and Hono recipes
#   make test-browser  wasm-bindgen tests and the package end to end in headless Chromium; the Express
#                      and FastAPI recipes paid through the local cashier
#   make sans-io       the proof that the core does no I/O
#   make deny          supply chain (cargo-deny: licenses, bans, sources)
#   make fuzz          every fuzz target for FUZZ_SECONDS (default 20) each
#   make bench         the core beside `openssl speed`, the npm package beside node:crypto and the
#                      official SDK, WebCrypto beside raw crypto.subtle in Node and headless Chromium,
#                      and its cold start in workerd (report only; BENCH=1 fails when a speed target
#                      is missed)
#   make package       the packages as published: cargo publish --dry-run of the Rust crates; the
#                      Python sdist and, built from it, manylinux abi3 wheels for x86_64 and aarch64
#                      (zig), checked by auditwheel, the x86_64 one tested in a venv without Rust
#                      (last in ci: it cleans the debug builds of the published crates)
#
# Every cargo test runs in exactly one part. A part's script is a prerequisite of its target, so a
# missing script stops make ("No rule to make target") instead of being skipped; scripts/check-make.sh
# (in `make check`) proves it.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.NOTPARALLEL:
export CARGO_TERM_COLOR := never

FUZZ_SECONDS ?= 20
BENCH ?= 0
WASM := --target wasm32-unknown-unknown
# The crates meant for users (the others say `publish = false`): the core, the CLI, and the local
# gateway, which the CLI's `alipay gateway` embeds.
RUST_PACKAGES := -p alipay-openapi -p alipay-cli -p alipay-local-gateway

.PHONY: ci setup check test-rust test-cli test-gateway test-python test-js test-browser sans-io deny fuzz bench package wasm-package python-package

ci: setup check test-rust test-cli test-gateway test-python test-js test-browser sans-io deny fuzz bench package
	@echo 'make ci: every part passed'

setup: scripts/setup.sh
	bash scripts/setup.sh

check: scripts/check-refs.sh scripts/check-versions.sh scripts/check-make.sh
	cargo fmt --all -- --check
	bash scripts/check-refs.sh
	bash scripts/check-versions.sh
	bash scripts/check-make.sh
	cargo clippy --locked --workspace --all-targets -- -D warnings
	cargo clippy --locked -p alipay-openapi-wasm -p alipay-openapi-wasm-signer $(WASM) --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --all-features $(RUST_PACKAGES)
	cargo test --locked -p alipay-openapi

# The core runs in `check`, the CLI and the gateway in their parts, the wasm crate on wasm32 in
# test-js and test-browser.
test-rust:
	cargo test --locked --workspace --exclude alipay-openapi --exclude alipay-cli \
	  --exclude alipay-local-gateway --exclude alipay-openapi-wasm

# One test runs the curl command the CLI prints.
test-cli:
	cargo test --locked -p alipay-cli

test-gateway: scripts/test-gateway.sh
	bash scripts/test-gateway.sh

test-python: scripts/test-python.sh
	bash scripts/test-python.sh

package: scripts/package-rust.sh scripts/package-python.sh
	bash scripts/package-rust.sh
	bash scripts/package-python.sh

# The npm package in dist/ and the gateway binary the Node tests start; built once per make run.
wasm-package: bindings-wasm/build.sh
	bash bindings-wasm/build.sh
	cargo build --locked -p alipay-local-gateway

test-js: wasm-package scripts/test-wasm.sh bindings-wasm/test/runtimes/run.sh
	bash scripts/test-wasm.sh js

# The Python package in .venv, for the FastAPI recipe in test-browser; test-python (earlier in ci)
# installs it from source every time.
python-package:
	.venv/bin/python -c 'import alipay_openapi' 2>/dev/null || \
	  .venv/bin/python -m pip --disable-pip-version-check --quiet install ./bindings-python

test-browser: wasm-package python-package scripts/test-wasm.sh
	bash scripts/test-wasm.sh browser

sans-io: scripts/check-sans-io.sh scripts/wasm_imports.py
	bash scripts/check-sans-io.sh

deny:
	cargo deny --locked check licenses bans sources

fuzz: scripts/fuzz.sh scripts/fuzz_seeds.py
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# On a shared machine a one-second sample is too noisy to fail a build on: without BENCH=1 the npm
# benchmark runs briefly and only reports.
bench: wasm-package scripts/bench.sh
	bash scripts/bench.sh
	cd bindings-wasm && node bench/bench.mjs $(if $(filter 1,$(BENCH)),--seconds 3 --check,--seconds 1)
	cd bindings-wasm && node bench/browser.mjs $(if $(filter 1,$(BENCH)),--seconds 3 --check,--seconds 1)
	cd bindings-wasm && node bench/workerd/cold-start.mjs
	cd bindings-wasm && node bench/parts.mjs --functions 10
