# The single list of entry points. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# Targets run in the order written (ui/dist must exist before cargo builds src-tauri, the
# unit tests run before the slow e2e); cargo and vite parallelise inside each step.
.NOTPARALLEL:

export PATH := $(HOME)/.cargo/bin:$(PATH)

CARGO ?= cargo
NPM ?= npm

.PHONY: help deps ui app run lint test test-unit e2e bench bindings fmt clean
.PHONY: package package-test deps-package

help: ## List the targets
	@echo "Consentry: make <target>"
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{ printf "  %-13s %s\n", $$1, $$2 }'

deps: ## Install missing system packages, tauri-driver and ui/node_modules
	scripts/install-deps.sh all

ui: ## Build the UI into ui/dist (the shell embeds it at compile time)
	$(NPM) --prefix ui run build

app: ui ## Build the desktop app: target/app/consentry-app (core optimized, see Cargo.toml)
	$(CARGO) build -p consentry-app --profile app

run: deps app ## Run the app (in Xvfb on :99 when there is no DISPLAY; honours CONSENTRY_DB)
	scripts/run-app.sh

lint: deps ui ## rustfmt check, clippy -D warnings, tsc --noEmit
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(NPM) --prefix ui run typecheck

test: deps lint test-unit e2e package-test ## Everything CI runs: lint, unit and integration tests, e2e, the package

# CI=true keeps vitest from entering watch mode when run from a terminal.
test-unit: deps ui ## Core + CLI, shell and UI tests (no e2e)
	$(CARGO) test
	$(CARGO) test -p consentry-app
	CI=true $(NPM) --prefix ui test

e2e: app ## End-to-end tests in the real app (Xvfb + tauri-driver); screenshots in target/e2e/
	scripts/e2e.sh

# The Debian package (cargo-deb; scripts/package.sh, packaging/, README "Install").
# PACKAGE_PROFILE picks the binaries package-test packages: `app` (default) reuses the
# ones `make app` built, so the test costs a link and seconds; `dist` is the release
# build `make package` ships (make package-test PACKAGE_PROFILE=dist tests that one).
# PACKAGE_TEST_ARGS=--fresh installs it with apt in a debootstrapped Debian 12 instead of
# a scratch dpkg root (scripts/package-test.sh says what each way checks).
PACKAGE_PROFILE ?= app
PACKAGE_TEST_ARGS ?=
package_dir = $(or $(CARGO_TARGET_DIR),target)/package$(if $(filter-out dist,$(PACKAGE_PROFILE)),/$(PACKAGE_PROFILE))

package: deps-package ui ## Build the release .deb: target/package/consentry_<version>_amd64.deb
	scripts/package.sh dist

package-test: deps-package ui ## Test a .deb (PACKAGE_PROFILE=app|dist): scratch-root install, CLI, desktop entry, app in Xvfb
	scripts/package.sh $(PACKAGE_PROFILE)
	scripts/package-test.sh $(PACKAGE_TEST_ARGS) $(package_dir)/consentry_*.deb

# What both need: dpkg-dev, cargo-deb, and the package test's Xvfb, xdotool, ImageMagick...
deps-package:
	scripts/install-deps.sh package

# scale.sh drives the release app in Xvfb through tauri-driver (hence deps), on its own
# store (10,000 deals, 100,000 invoices, 1,000,000 ledger events; bench/README.md "Scale").
bench: deps ## Snapshot build vs DuckDB on 2M posts, deliveries, finance reports, the app at scale, app vs CLI, imports of 5M users (POSTS=, USERS=, DEALS=, IMPORT_USERS=)
	bash bench/run.sh
	bash bench/finance.sh
	bash bench/scale.sh
	bash bench/app-vs-cli.sh
	bash bench/imports.sh

bindings: ## Regenerate ui/src/bindings.ts, ui/src/commands.ts and the UI's fixtures (ui/src/backend/fixtures.json)
	UPDATE_BINDINGS=1 $(CARGO) test --test integration bindings::
	UPDATE_BINDINGS=1 $(CARGO) test -p consentry-app --test ipc the_declaration
	UPDATE_BINDINGS=1 $(CARGO) test -p consentry-app --test fixtures

fmt: ## Format the Rust code
	$(CARGO) fmt --all

clean: ## Remove build output (target/, ui/dist)
	$(CARGO) clean
	rm -rf ui/dist
