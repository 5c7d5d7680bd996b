# ExpReg — the two commands: `make run` and `make test` (each installs what is missing first).
SHELL := /bin/bash
SWIFT ?= swift
MANIFEST ?= manifests/nightly.yaml
OUTPUT ?= output
RELEASE_BIN := .build/release/expreg

# Debian packages the build and the runtime need (libcurl4 + ca-certificates: webhooks over https);
# the tests also drive a real headless browser and open the PDF one-pager with poppler
# (pdfinfo, pdffonts, pdftotext, pdftoppm), and run shards on a throw-away Slurm cluster.
APT_PACKAGES := pkg-config libsqlite3-dev libcairo2-dev libopenblas-dev liblapacke-dev libssl-dev fonts-ipaexfont-gothic libcurl4 ca-certificates
TEST_APT_PACKAGES := chromium poppler-utils slurmctld slurmd slurm-client munge

.PHONY: all deps test-deps build run test test-fast lint format bench validate clean help install install-files uninstall

all: build

help:
	@echo "make run    install missing packages, build (release), run $(MANIFEST) into $(OUTPUT)/"
	@echo "make test   install missing packages, build, run the whole test suite"
	@echo "make test-fast  build, run the tests not tagged .slow (the edit-compile loop)"
	@echo "make lint   check the Swift sources against .swift-format (swift format lint --strict)"
	@echo "make format rewrite the Swift sources in the house style (.swift-format)"
	@echo "make bench  time the GD step and Gram+eigen against NumPy (and JAX when available)"
	@echo "make install [PREFIX=/usr/local] [DESTDIR=]  the release binary and its templates; make uninstall"

# Installs only the packages that are missing (apt-get update once, only when something is missing).
define apt_install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "==> installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))

test-deps: deps
	$(call apt_install,$(TEST_APT_PACKAGES))

build: deps
	$(SWIFT) build -c release --product expreg

run: build
	$(RELEASE_BIN) run $(MANIFEST) --output $(OUTPUT) --db $(OUTPUT)/expreg.sqlite

validate: build
	$(RELEASE_BIN) validate $(MANIFEST)

# The Slurm suite runs on its own after the rest: its throw-away cluster's daemons schedule and
# requeue real jobs, which a 2-core machine busy with the other suites can starve for minutes.
# After the whole suite, the numeric suites and one end-to-end batch again on the portable kernel
# path, so the fallback is exercised on AVX-512 machines too (tests honour EXPREG_KERNELS; the
# binary they start inherits it). Every pass's output is kept in TEST_LOG; the last line counts
# the tests Swift Testing reported as skipped (a kernel path this CPU lacks, no root, no mount) and
# lists each with its reason.
TEST_LOG ?= .build/test-output.log

test: test-deps
	$(SWIFT) build --build-tests
	@mkdir -p $(dir $(TEST_LOG)) && : > $(TEST_LOG)
	set -o pipefail; $(SWIFT) test --skip-build --skip SlurmTests 2>&1 | tee -a $(TEST_LOG)
	set -o pipefail; $(SWIFT) test --skip-build --filter SlurmTests 2>&1 | tee -a $(TEST_LOG)
	set -o pipefail; EXPREG_KERNELS=generic $(SWIFT) test --skip-build \
	  --filter 'ExpRegLinAlgTests|ExpRegCoreTests|ReproducibilityTests' 2>&1 | tee -a $(TEST_LOG)
	@bash .ci/skipped-tests $(TEST_LOG)

# The edit-compile loop: everything but the tests tagged `.slow` (browser, kill -9 and signals,
# Slurm, end-to-end batches of 2 s or more), which `.skippedWhenFast` skips under EXPREG_SKIP_SLOW=1
# (swift test --skip tag:slow does not filter by tag on Swift 6.3). `make test` still runs them all.
test-fast: test-deps
	$(SWIFT) build --build-tests
	@mkdir -p $(dir $(TEST_LOG)) && : > $(TEST_LOG)
	set -o pipefail; EXPREG_SKIP_SLOW=1 $(SWIFT) test --skip-build 2>&1 | tee -a $(TEST_LOG)
	@bash .ci/skipped-tests $(TEST_LOG)

# The toolchain's formatter with the house configuration (.swift-format: 4 spaces, 120 columns).
# `.ci/run` runs `make lint`; `make format` fixes what it reports (a few marked exceptions stay,
# each with a `swift-format-ignore` comment saying why).
SWIFT_FORMAT_PATHS := Package.swift Sources Tests

lint:
	$(SWIFT) format lint --strict --recursive $(SWIFT_FORMAT_PATHS)

format:
	$(SWIFT) format format --in-place --recursive $(SWIFT_FORMAT_PATHS)

# The installed layout: PREFIX/bin/expreg and PREFIX/share/expreg/templates/ (the binary looks for its
# templates at ../share/expreg/templates first; docs/environment.md). DESTDIR is prepended for staged
# installs (packaging). `install-files` installs INSTALL_BIN without building (the tests install the
# debug binary that way); `share/expreg/installed-files` lists every file installed, and `make
# uninstall` removes exactly those, then the share/expreg folders if they are empty.
PREFIX ?= /usr/local
INSTALL_BIN ?= $(RELEASE_BIN)
INSTALL_ROOT = $(DESTDIR)$(PREFIX)
INSTALL_SHARE = $(INSTALL_ROOT)/share/expreg
INSTALL_LIST = $(INSTALL_SHARE)/installed-files

install: build
	@$(MAKE) --no-print-directory install-files PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" INSTALL_BIN="$(INSTALL_BIN)"

install-files:
	@test -x "$(INSTALL_BIN)" || { echo "make install: $(INSTALL_BIN) is missing: run make build first" >&2; exit 2; }
	install -d "$(INSTALL_ROOT)/bin" "$(INSTALL_SHARE)/templates"
	install -m 0755 "$(INSTALL_BIN)" "$(INSTALL_ROOT)/bin/expreg"
	install -m 0644 templates/* "$(INSTALL_SHARE)/templates/"
	@{ echo "bin/expreg"; for f in templates/*; do echo "share/expreg/$$f"; done; \
	   echo "share/expreg/installed-files"; } > "$(INSTALL_LIST)"
	@chmod 0644 "$(INSTALL_LIST)"
	@echo "installed $(INSTALL_ROOT)/bin/expreg and $(INSTALL_SHARE)/templates/"

uninstall:
	@test -f "$(INSTALL_LIST)" || { echo "make uninstall: $(INSTALL_LIST) not found: nothing installed under $(INSTALL_ROOT)" >&2; exit 2; }
	@while IFS= read -r f; do \
	  case "$$f" in ""|/*|*..*) echo "make uninstall: skipping unexpected entry '$$f'" >&2; continue;; esac; \
	  rm -f "$(INSTALL_ROOT)/$$f"; \
	done < "$(INSTALL_LIST)"
	@rmdir "$(INSTALL_SHARE)/templates" "$(INSTALL_SHARE)" 2>/dev/null || true
	@echo "removed expreg from $(INSTALL_ROOT)"

bench: build
	bench/compare.sh $(RELEASE_BIN)

clean:
	rm -rf .build .build-*
