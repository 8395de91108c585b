# The two commands of the README, and what they need.
#   make demo   the case study end to end (installs what is missing first)
#   make test   every test: Catch2 through ctest, then pytest (notebooks included)
PYTHON ?= python3
SHARED ?= ../shared
OUT ?= out
APT_PACKAGES ?= libicu-dev libeigen3-dev catch2 ccache
PYTAG := $(shell $(PYTHON) -c "import sys; print('cp%d%d' % sys.version_info[:2])")
# ctest runs in the build folder pip's build back end leaves behind.
BUILD_DIR = $(firstword $(wildcard build/$(PYTAG)-*))
PIP_FLAGS ?= --quiet --disable-pip-version-check --root-user-action=ignore

.PHONY: deps install test test-cpp test-python demo clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

install: deps
	$(PYTHON) -m pip install $(PIP_FLAGS) ".[test,plot]" \
	  --config-settings=cmake.define.QUOTEFRAME_BUILD_TESTS=ON \
	  --config-settings=cmake.define.QUOTEFRAME_WERROR=ON

test-cpp: install
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j2

test-python: install
	$(PYTHON) -m pytest

test: install
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j2
	$(PYTHON) -m pytest

demo: install
	$(PYTHON) -m quoteframe inspect $(SHARED)/corpus/docs

clean:
	rm -rf build dist $(OUT) python/quoteframe/_core*.so
