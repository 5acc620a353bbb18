# Sourced by scripts/test.sh: makes sure a PostgreSQL server answers for the tests and exports
# TEST_PG_URL. Uses TEST_PG_URL if given, else 127.0.0.1:5432 with trust auth if one answers there,
# else initialises and starts a private cluster (trust auth, port 55432) under var/test-postgres.
ensure_postgres() {
  if [ -n "${TEST_PG_URL:-}" ]; then return 0; fi
  if tcp_answers 127.0.0.1 5432 && psql_ok "postgresql://postgres@127.0.0.1:5432/postgres"; then
    export TEST_PG_URL="postgresql://postgres@127.0.0.1:5432/postgres"
    return 0
  fi
  local dir="$VAR_DIR/test-postgres" port=55432 bin
  export TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  if tcp_answers 127.0.0.1 $port; then return 0; fi
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ]; then
    apt_install pg_ctlcluster:postgresql
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  # initdb refuses to run as root: the cluster then belongs to the 'postgres' system user.
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
    as=(runuser -u postgres --)
  fi
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster for the tests in $dir"
    "${as[@]}" "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  say "starting the private PostgreSQL on 127.0.0.1:$port"
  "${as[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
}

psql_ok() {
  node -e 'const pg=require("pg");const c=new pg.Client({connectionString:process.argv[1],connectionTimeoutMillis:2000});c.connect().then(()=>c.end()).then(()=>process.exit(0),()=>process.exit(1))' "$1"
}
