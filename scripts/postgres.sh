# Sourced by scripts/test: a PostgreSQL server for the tests. Uses the one on 127.0.0.1:5432
# when it answers; otherwise starts a throwaway server in a temporary directory (stopped when
# the calling script exits). Exports RHIZOM_TEST_POSTGRES_URL either way.

pg_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_run() {
  # PostgreSQL refuses to run as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_postgres() {
  if [ -n "${RHIZOM_TEST_POSTGRES_URL:-}" ]; then return; fi
  if pg_answers 5432; then
    export RHIZOM_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres"
    return
  fi
  local bindir port=54329
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bindir" ]; then
    apt_install postgresql
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home postgres
  fi
  PG_TMP="$(mktemp -d /tmp/rhizom-pg.XXXXXX)"
  [ "$(id -u)" = 0 ] && chown postgres "$PG_TMP"
  say "starting a throwaway PostgreSQL on 127.0.0.1:$port ($PG_TMP)"
  pg_run "$bindir/initdb" -D "$PG_TMP/data" -U postgres -A trust >/dev/null
  pg_run "$bindir/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/log" -w \
    -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  PG_BINDIR="$bindir"
  trap 'pg_run "$PG_BINDIR/pg_ctl" -D "$PG_TMP/data" -m fast stop >/dev/null; rm -rf "$PG_TMP"' EXIT
  export RHIZOM_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}
