# Deep Learning Studio. `make run` starts the app; `make test` runs every test.
# Both create the virtual environment in .venv and install what they need first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# localhost: this computer only. A classroom: `make run ADDRESS=0.0.0.0` (see the README).
ADDRESS ?= localhost

.PHONY: run test lint bench browser haproxy replicas gpu clean

run: $(VENV)/.runtime
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

test: $(VENV)/.dev browser haproxy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.dev browser haproxy
	$(BIN)/python -m bench

# On a Linux machine with an NVIDIA GPU: the CUDA build of TensorFlow, same version.
gpu: $(VENV)/.runtime
	$(BIN)/pip install --quiet "tensorflow[and-cuda]==$$(grep '^tensorflow==' requirements.txt | cut -d= -f3)"

# $(call debian_package,PROGRAM,WHO NEEDS IT): install Debian's package PROGRAM when it is
# missing and we may (as root, with apt-get); otherwise say how, and fail.
define debian_package
	@if command -v $(1) >/dev/null 2>&1 || [ -x /usr/sbin/$(1) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's $(1) for $(2)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); \
	else \
		echo "Debian's $(1) is needed for $(2). Install it with:"; \
		echo "    sudo apt-get install $(1)"; \
		exit 1; \
	fi
endef

# Debian's chromium drives the browser tests (Playwright's own browser download needs
# the internet).
browser:
	$(call debian_package,chromium,the browser tests)

# Debian's haproxy is the proxy in front of several replicas (deploy/): the replicas test
# and bench/replicas.py start it.
haproxy:
	$(call debian_package,haproxy,the replicas test and benchmark)

# Several replicas of the app behind HAProxy, sticky by cookie (see the README).
REPLICAS ?= 2
PROXY_PORT ?= 8500
replicas: $(VENV)/.runtime haproxy
	$(BIN)/python -m deploy.replicas --replicas $(REPLICAS) --port $(PROXY_PORT) \
		--address $(if $(filter localhost,$(ADDRESS)),127.0.0.1,$(ADDRESS))

# dlcore is installed in editable mode, so `import dlcore` works from any folder (a
# notebook, a script) and follows the checkout. The build tools come first because the
# editable install uses the venv's own (--no-build-isolation) instead of a fresh copy.
$(VENV)/.runtime: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet "setuptools>=70.1" wheel
	$(BIN)/pip install --quiet --no-build-isolation --no-deps -e .
	touch $@

# Ray (requirements-ray.txt) too: the Ray backend's test runs in `make test`.
$(VENV)/.dev: requirements-dev.txt requirements-ray.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt -r requirements-ray.txt
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
