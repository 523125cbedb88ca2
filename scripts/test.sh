#!/usr/bin/env bash
# Installs what the tests need on a fresh machine, then runs lint and every test:
# unit, AppTest and real-browser (tests/e2e) tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# Browser tests drive Debian's Chromium through Playwright (never `playwright install`); the
# replica test runs Debian's HAProxy in front of the app. Installed only when missing.
missing=""
if [ ! -x /usr/bin/chromium ]; then missing="$missing chromium"; fi
if [ ! -x /usr/sbin/haproxy ]; then missing="$missing haproxy"; fi
if [ -n "$missing" ]; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    # shellcheck disable=SC2086  # one word per package
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi
python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
python -m ruff check .
python -m ruff format --check .
# pytest exits 5 when it collected no test: that is a failure here too (set -e).
# Tests run in one process per core (pytest-xdist); a module whose tests share a costly
# fixture (the soak, the two replicas) is kept in one process by its xdist_group mark.
python -m pytest -q -p no:cacheprovider -n auto --dist loadgroup "$@"
