#!/usr/bin/env bash
# The Postgres tests (tests/postgres) start throw-away clusters with the server binaries of Debian's
# postgresql package (tests/helpers/postgres.ts); no service is used or needed. Installs the package
# when missing and we may (root with apt-get); otherwise says what to do.
set -euo pipefail
found() {
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/initdb" ]
  else
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
  fi
}
if found; then
  exit 0
fi
if [ -z "${PG_BIN:-}" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Postgres server binaries not found in /usr/lib/postgresql/*/bin: installing Debian's postgresql package…"
  export DEBIAN_FRONTEND=noninteractive
  # No service start during the install (a container has no init to run it, and the tests need
  # none): policy-rc.d answers "not allowed" to every start the package's scripts ask for.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  # One apt at a time: npm test's e2e phase may be installing Chromium (ensure-chromium.sh takes it).
  # A postinst that still fails (its own cluster or service) leaves the binaries in place: judged below.
  flock -o /var/lock/claudeops-apt.lock sh -c \
    'apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null' ||
    echo "apt-get reported an error while installing postgresql; looking for the binaries anyway" >&2
  if found; then
    exit 0
  fi
fi
echo "The Postgres tests need the server binaries (initdb, pg_ctl, postgres): none in ${PG_BIN:-/usr/lib/postgresql/*/bin}." >&2
echo "On Debian/Ubuntu: sudo apt-get install postgresql (no service needs to run), or set PG_BIN to a bin directory." >&2
exit 1
