#!/usr/bin/env bash
# Installs what the tests need on a fresh machine, then runs lint and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
python -m ruff check .
python -m ruff format --check .
# pytest exits 5 when it collected no test: that is a failure here too (set -e).
python -m pytest -q -p no:cacheprovider "$@"
