"""Every test that runs a page in this process (AppTest) trains inline, in the script's own
thread: deterministic, and no worker processes to start. The app servers that the browser
tests and benchmarks start train in a local pool of workers (`harness.serve_app`), and
tests/dlcore/jobs tests the pools themselves."""

import os

os.environ.setdefault("DLS_JOBS", "inline")
