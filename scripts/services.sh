#!/usr/bin/env bash
# Starts what the test suite talks to, when it is installed but not running: PostgreSQL and MariaDB
# (real databases, no mocks), and installs Debian's Chromium for the browser tests when missing.
# Idempotent; safe to run on a developer machine.
set -uo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo -n "$@"; else return 1; fi; }

if have pg_isready && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if have pg_ctlcluster; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo "services: PostgreSQL ready on 127.0.0.1:5432" \
  || echo "services: PostgreSQL is not available on 127.0.0.1:5432 (tests that need it will fail)"

if have mariadb-admin && ! mariadb-admin --protocol=tcp -h 127.0.0.1 -uroot status >/dev/null 2>&1; then
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do mariadb-admin --protocol=tcp -h 127.0.0.1 -uroot status >/dev/null 2>&1 && break; sleep 1; done
fi
if have mariadb-admin && mariadb-admin --protocol=tcp -h 127.0.0.1 -uroot status >/dev/null 2>&1; then
  echo "services: MariaDB ready on 127.0.0.1:3306"
fi

if [ ! -x /usr/bin/chromium ] && have apt-get; then
  echo "services: installing Debian chromium for the browser tests"
  (as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
    || echo "services: could not install chromium (browser tests will fail)"
fi
[ -x /usr/bin/chromium ] && echo "services: chromium at /usr/bin/chromium"
exit 0
