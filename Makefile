# The two commands of the README, and what they need.
#   make demo   the case study end to end (installs what is missing first)
#   make test   every test: Catch2 through ctest, then pytest (notebooks included)
PYTHON ?= python3
SHARED ?= ../shared
OUT ?= out
APT_PACKAGES ?= libicu-dev libeigen3-dev catch2 ccache chromium fonts-dejavu-core valgrind
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

# The case study end to end: quotes, validation against the hand coding,
# the cross-language audit, the HTML report and the executed notebook.
CASE = $(OUT)/case-study
demo: install
	rm -rf $(CASE) && mkdir -p $(CASE)
	$(PYTHON) -m quoteframe analyze $(SHARED)/corpus/docs -o $(CASE)
	$(PYTHON) -m quoteframe evaluate $(SHARED)/corpus/gold/quotes.jsonl $(CASE) --texts $(SHARED)/corpus/docs --json $(CASE)/evaluation.json
	$(PYTHON) -m quoteframe align $(SHARED)/corpus/docs -o $(CASE)/align
	$(PYTHON) -m quoteframe report $(SHARED)/corpus/docs -o $(CASE)/report.html
	cd notebooks && QUOTEFRAME_CORPUS="$(abspath $(SHARED))/corpus" $(PYTHON) -c "import nbformat, nbclient; nb = nbformat.read('csto_case_study.ipynb', 4); nbclient.NotebookClient(nb, timeout=300, kernel_name='python3').execute(); nbformat.write(nb, '$(abspath $(CASE))/csto_case_study.ipynb')"
	@echo "case study written to $(CASE)/ (report.html, quotes.csv, evaluation.json, align/, csto_case_study.ipynb)"

clean:
	rm -rf build dist $(OUT) python/quoteframe/_core*.so

# ---- sanitizers -------------------------------------------------------------
#   make sanitize   the C++ tests (ctest) and the Python tests against a core
#                   and an extension built with ASan + UBSan (Debug build).
# CPython itself is not instrumented: libasan is preloaded (with libstdc++, or
# ASan cannot intercept C++ throws) and leak detection is off (the
# interpreter's own allocations would all be reported). The
# extension is staged beside a copy of the Python sources, never over the
# developer's python/quoteframe/_core*.so.
SANITIZE_BUILD ?= build/sanitize
SANITIZE_JOBS ?= 2
SANITIZE_PYTEST ?= tests/python -m "not slow"
SANITIZE_ENV = ASAN_OPTIONS=detect_leaks=0:strict_string_checks=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
.PHONY: sanitize
sanitize: install
	$(PYTHON) -c "import pybind11" 2>/dev/null || $(PYTHON) -m pip install $(PIP_FLAGS) pybind11
	cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DQUOTEFRAME_SANITIZE=ON -DQUOTEFRAME_BUILD_TESTS=ON -DQUOTEFRAME_BUILD_PYTHON=ON -DSKBUILD=ON \
	  -Dpybind11_DIR="$$($(PYTHON) -m pybind11 --cmakedir)"
	cmake --build $(SANITIZE_BUILD) -j$(SANITIZE_JOBS)
	$(SANITIZE_ENV) ctest --test-dir $(SANITIZE_BUILD) --output-on-failure -j2
	rm -rf $(SANITIZE_BUILD)/stage && mkdir -p $(SANITIZE_BUILD)/stage
	cp -r python/quoteframe $(SANITIZE_BUILD)/stage/
	rm -f $(SANITIZE_BUILD)/stage/quoteframe/_core*.so
	cp $(SANITIZE_BUILD)/_core*.so $(SANITIZE_BUILD)/stage/quoteframe/
	$(SANITIZE_ENV) LD_PRELOAD="$$($(CXX) -print-file-name=libasan.so) $$($(CXX) -print-file-name=libstdc++.so)" \
	  PYTHONPATH="$(CURDIR)/$(SANITIZE_BUILD)/stage" $(PYTHON) -m pytest -p no:cacheprovider $(SANITIZE_PYTEST)
