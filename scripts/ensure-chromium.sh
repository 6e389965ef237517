#!/usr/bin/env bash
# The e2e tests drive Debian's Chromium (Playwright never downloads a browser here).
# Installs it when missing and we may (root with apt-get); otherwise says what to do.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found at $CHROMIUM: installing Debian's chromium package…"
  export DEBIAN_FRONTEND=noninteractive
  # One apt at a time: npm test's postgres phase may be installing too (ensure-postgres.sh takes it).
  flock -o /var/lock/claudeops-apt.lock sh -c 'apt-get update -qq && apt-get install -y -qq chromium >/dev/null'
  exit 0
fi
echo "The e2e tests need Chromium at $CHROMIUM (or set CHROMIUM_PATH)." >&2
echo "On Debian/Ubuntu: sudo apt-get install chromium" >&2
exit 1
