# Deep Learning Studio. `make run` starts the app; `make test` runs every test.
# Both create the virtual environment in .venv and install what they need first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# localhost: this computer only. A classroom: `make run ADDRESS=0.0.0.0` (see the README).
ADDRESS ?= localhost

.PHONY: run test lint bench browser gpu clean

run: $(VENV)/.runtime
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

test: $(VENV)/.dev browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.dev browser
	$(BIN)/python -m bench

# On a Linux machine with an NVIDIA GPU: the CUDA build of TensorFlow, same version.
gpu: $(VENV)/.runtime
	$(BIN)/pip install --quiet "tensorflow[and-cuda]==$$(grep '^tensorflow==' requirements.txt | cut -d= -f3)"

# Debian's chromium drives the browser tests (Playwright's own browser download needs
# the internet). Installed here when missing and we may; otherwise say what to install.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "The browser tests need Chromium at /usr/bin/chromium. Install it with:"; \
		echo "    sudo apt-get install chromium"; \
		exit 1; \
	fi

# dlcore is installed in editable mode, so `import dlcore` works from any folder (a
# notebook, a script) and follows the checkout. The build tools come first because the
# editable install uses the venv's own (--no-build-isolation) instead of a fresh copy.
$(VENV)/.runtime: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet "setuptools>=70.1" wheel
	$(BIN)/pip install --quiet --no-build-isolation --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
