#!/usr/bin/env bash
# npm run cluster: a real local cluster for trying and testing several nodes. PostgreSQL (database
# crm_cluster), Redis, the AMI simulator on its own port, NODES server nodes (2 unless said; ports
# 3001..) sharing them, and nginx from Debian in front on CLUSTER_PORT (8080) with WebSocket
# upgrade and sticky sessions (deploy/nginx/crm.conf.template, the production configuration).
# Logs and pid files in var/cluster/. Ctrl-C (or SIGTERM) stops everything it started; Redis and
# PostgreSQL keep running, as with npm run demo and npm test.
#   NODES=3 npm run cluster               three nodes
#   bash scripts/cluster.sh status        which node holds the PBX lease
# A node that dies is started again after CLUSTER_RESTART_SECONDS (10; 0: never), as systemd's
# Restart=always would, so killing the lease holder shows the failover and the return as standby.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ensure-postgres.sh"

NODES=${NODES:-2}
CLUSTER_PORT=${CLUSTER_PORT:-8080}
NODE_PORT=${CLUSTER_NODE_PORT:-3001}
AMI_PORT=${CLUSTER_AMI_PORT:-15038}
CALLS_PER_MINUTE=${SIM_CALLS_PER_MINUTE:-6}
RESTART_SECONDS=${CLUSTER_RESTART_SECONDS:-10}
DIR="$VAR_DIR/cluster"
PREFIX=crmcluster

node_port() { echo $((NODE_PORT + $1 - 1)); }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
health() { curl -sS -m 2 "http://127.0.0.1:$1/api/health" 2>/dev/null || true; }
field() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }

status() {
  local n port h
  for n in $(seq 1 "$NODES"); do
    port=$(node_port "$n")
    h=$(health "$port")
    if [ -z "$h" ]; then
      printf '  node%s  127.0.0.1:%s  down\n' "$n" "$port"
    else
      printf '  node%s  127.0.0.1:%s  %-8s ami %-12s node id %s\n' "$n" "$port" "$(field lease <<<"$h")" "$(field ami <<<"$h")" "$(field node <<<"$h")"
    fi
  done
  h=$(health "$CLUSTER_PORT")
  [ -n "$h" ] && printf '  through nginx (:%s): answered by node id %s (%s)\n' "$CLUSTER_PORT" "$(field node <<<"$h")" "$(field lease <<<"$h")"
  return 0
}

if [ "${1:-}" = status ]; then
  # The node count of the running cluster, whatever NODES says now.
  [ -f "$DIR/nodes" ] && NODES=$(cat "$DIR/nodes")
  status
  exit 0
fi
[ $# -eq 0 ] || die "usage: bash scripts/cluster.sh [status]"
[[ "$NODES" =~ ^[1-9]$ ]] || die "NODES must be 1 to 9 (got '$NODES')"

mkdir -p "$DIR"
if alive "$DIR/cluster.pid"; then die "a cluster is already running (pid $(cat "$DIR/cluster.pid")); stop it with: kill $(cat "$DIR/cluster.pid")"; fi
for port in "$CLUSTER_PORT" "$AMI_PORT" $(for n in $(seq 1 "$NODES"); do node_port "$n"; done); do
  tcp_answers 127.0.0.1 "$port" && die "port $port is in use (CLUSTER_PORT, CLUSTER_AMI_PORT and CLUSTER_NODE_PORT.. choose the ports)"
done

# Debian's nginx package starts its system service on port 80 when installed; the cluster runs an
# nginx of its own, so the install runs with service starts refused (policy-rc.d), unless a policy
# is there already.
install_nginx() {
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then return 0; fi
  local policy=/usr/sbin/policy-rc.d guard=0
  if [ "$(id -u)" -eq 0 ] && [ ! -e $policy ]; then
    printf '#!/bin/sh\nexit 101\n' >$policy && chmod +x $policy && guard=1
  fi
  apt_install nginx:nginx || { [ $guard = 1 ] && rm -f $policy; exit 1; }
  [ $guard = 1 ] && rm -f $policy
  return 0
}
install_nginx
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
npm_install
ensure_redis
ensure_postgres
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
DB_URL="${TEST_PG_URL%/*}/crm_cluster"
node -e '
const pg = require("pg");
const c = new pg.Client({ connectionString: process.argv[1] });
c.connect()
  .then(() => c.query("SELECT 1 FROM pg_database WHERE datname = $1", ["crm_cluster"]))
  .then((r) => (r.rowCount ? null : c.query("CREATE DATABASE crm_cluster").then(() => console.error("created database crm_cluster"))))
  .then(() => c.end(), (e) => { console.error(e.message); process.exit(1); });' "$TEST_PG_URL" || die "could not create database crm_cluster on $TEST_PG_URL"
build_ui

# A Redis that lost its data (the private one saves only now and then) starts the PBX lease's fencing
# counter at 1 again, below the number pbx_fences keeps, and the journal would refuse every call
# (docs/deploy.md, Known gaps): the counter is put back above it.
node -e '
const pg = require("pg");
const Redis = require("ioredis");
const [dbUrl, redisUrl, key] = process.argv.slice(1);
const c = new pg.Client({ connectionString: dbUrl });
const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
(async () => {
  await c.connect();
  const table = await c.query("SELECT to_regclass($1) AS t", ["pbx_fences"]);
  const rows = table.rows[0].t ? (await c.query("SELECT fence::text AS fence FROM pbx_fences WHERE pbx = $1", ["main"])).rows : [];
  const stored = Number(rows[0]?.fence ?? 0);
  const counter = Number((await r.get(key)) ?? 0);
  if (counter < stored) {
    await r.set(key, String(stored));
    console.error(`the lease fencing counter in Redis was ${counter}, below ${stored} in pbx_fences: set to ${stored}`);
  }
})().then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });' \
  "$DB_URL" "$REDIS_URL" "$PREFIX:pbx:main:lease:fence" || die "could not check the lease fencing counter"

stop_all() {
  trap - INT TERM EXIT
  say "stopping the cluster"
  local f pid
  for f in "$DIR"/nginx.pid "$DIR"/node*.pid "$DIR"/ami-sim.pid; do
    [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  # Nodes hand their lease over and write out the journal before they exit (at most 15 s).
  for _ in $(seq 1 200); do
    pid=""
    for f in "$DIR"/nginx.pid "$DIR"/node*.pid "$DIR"/ami-sim.pid; do alive "$f" && pid=1; done
    [ -z "$pid" ] && break
    sleep 0.1
  done
  for f in "$DIR"/nginx.pid "$DIR"/node*.pid "$DIR"/ami-sim.pid; do
    alive "$f" && { say "killing $(basename "$f" .pid)"; kill -KILL "$(cat "$f")" 2>/dev/null || true; }
  done
  rm -f "$DIR"/*.pid "$DIR/nodes"
  say "stopped (Redis and PostgreSQL keep running)"
  exit 0
}
trap stop_all INT TERM EXIT
echo $$ >"$DIR/cluster.pid"
echo "$NODES" >"$DIR/nodes"

# wait_http PORT WHAT PIDFILE LOG: until /api/health answers 200 there, or the process dies.
wait_http() {
  for _ in $(seq 1 1200); do
    curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$1/api/health" 2>/dev/null && return 0
    alive "$3" || { tail -n 20 "$4" >&2; die "$2 exited; see $4"; }
    sleep 0.25
  done
  die "$2 did not answer on port $1 within 5 minutes; see $4"
}

say "starting the AMI simulator on 127.0.0.1:$AMI_PORT ($CALLS_PER_MINUTE calls a minute)"
: >"$DIR/ami-sim.log"
node --import tsx scripts/ami-sim.ts --port "$AMI_PORT" --calls-per-minute "$CALLS_PER_MINUTE" \
  --known-numbers "$DIR/known-numbers.txt" >>"$DIR/ami-sim.log" 2>&1 &
echo $! >"$DIR/ami-sim.pid"
for _ in $(seq 1 100); do tcp_answers 127.0.0.1 "$AMI_PORT" && break; sleep 0.2; done
tcp_answers 127.0.0.1 "$AMI_PORT" || die "the AMI simulator did not start; see $DIR/ami-sim.log"

# start_node N [--demo]: one server process, `npm start` with the cluster's environment.
start_node() {
  local n=$1 port
  port=$(node_port "$n")
  mkdir -p "$DIR/node$n"
  env PORT="$port" HOST=127.0.0.1 DATABASE_URL="$DB_URL" REDIS_URL="$REDIS_URL" REDIS_PREFIX=$PREFIX \
    AMI_URL="ami://crm:crmsecret@127.0.0.1:$AMI_PORT" DATA_DIR="$DIR/node$n" \
    node --import tsx server/main.ts "${@:2}" >>"$DIR/node$n.log" 2>&1 &
  echo $! >"$DIR/node$n.pid"
  disown $! # no "Killed" line from bash when one is killed to watch a failover
}

say "starting node1 on 127.0.0.1:$(node_port 1) (seeds the demo data into an empty crm_cluster)"
: >"$DIR/node1.log"
start_node 1 --demo
wait_http "$(node_port 1)" node1 "$DIR/node1.pid" "$DIR/node1.log"

# The simulated callers: the demo clients' numbers, so their cards pop.
node -e '
const pg = require("pg");
const c = new pg.Client({ connectionString: process.argv[1] });
c.connect()
  .then(() => c.query("SELECT number FROM phones WHERE number LIKE $1 ORDER BY id LIMIT 50", ["+%"]))
  .then((r) => { console.log(r.rows.map((x) => x.number).join("\n")); return c.end(); })
  .catch((e) => { console.error(e.message); process.exit(1); });' "$DB_URL" >"$DIR/known-numbers.txt.new" \
  && mv "$DIR/known-numbers.txt.new" "$DIR/known-numbers.txt"

for n in $(seq 2 "$NODES"); do
  say "starting node$n on 127.0.0.1:$(node_port "$n")"
  : >"$DIR/node$n.log"
  start_node "$n"
done
for n in $(seq 2 "$NODES"); do wait_http "$(node_port "$n")" "node$n" "$DIR/node$n.pid" "$DIR/node$n.log"; done

say "starting nginx on port $CLUSTER_PORT"
mkdir -p "$DIR/nginx/tmp"
servers=""
for n in $(seq 1 "$NODES"); do servers+="    server 127.0.0.1:$(node_port "$n") max_fails=1 fail_timeout=5s;"$'\n'; done
awk -v listen="$CLUSTER_PORT" -v servers="${servers%$'\n'}" '
  /^@NODES@$/ { print servers; next }
  { gsub(/@LISTEN@/, listen); print }' deploy/nginx/crm.conf.template >"$DIR/nginx/crm.conf"
{
  [ "$(id -u)" -eq 0 ] && echo "user nobody nogroup;"
  cat <<EOF
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx.log warn;
events { worker_connections 1024; }
http {
    access_log $DIR/nginx-access.log;
    client_body_temp_path $DIR/nginx/tmp/body;
    proxy_temp_path $DIR/nginx/tmp/proxy;
    fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
    scgi_temp_path $DIR/nginx/tmp/scgi;
    include $DIR/nginx/crm.conf;
}
EOF
} >"$DIR/nginx/nginx.conf"
: >"$DIR/nginx.log"
"$NGINX" -t -q -e "$DIR/nginx.log" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" || die "nginx refused $DIR/nginx/nginx.conf; see above"
"$NGINX" -e "$DIR/nginx.log" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -g 'daemon off;' &
echo $! >"$DIR/nginx.pid"
wait_http "$CLUSTER_PORT" nginx "$DIR/nginx.pid" "$DIR/nginx.log"

cat <<EOF

  Call-center CRM cluster: http://localhost:$CLUSTER_PORT   ($NODES nodes behind nginx, one PBX)

  Demo logins: admin / admin-demo-1, agent1001 / agent-demo-1 (phone 1001; also agent1002,
  agent1003), supervisor / super-demo-1, manager / manager-demo-1. The simulator places about
  $CALLS_PER_MINUTE calls a minute from demo clients' numbers; phones 1001-1003 answer by themselves.

  Who holds the PBX lease (one holder, the others standby):
    bash scripts/cluster.sh status
    curl -s localhost:$CLUSTER_PORT/api/health          # the node nginx chose
    curl -s localhost:$(node_port 1)/api/health           # node1 itself (ports $(node_port 1)..$(node_port "$NODES"))
  Watch a failover: kill -9 the holder, e.g.  kill -9 \$(cat $DIR/node1.pid)
    another node holds the lease within about 3 s; the killed one starts again after ${RESTART_SECONDS} s.
  Logs: $DIR/{node1..node$NODES,ami-sim,nginx,nginx-access}.log
  Ctrl-C (or kill $$) stops the cluster.

EOF
status

# Like systemd's Restart=always: a node that died starts again after RESTART_SECONDS.
declare -A down_since=()
while :; do
  sleep 1 &
  wait $! || true
  for n in $(seq 1 "$NODES"); do
    if alive "$DIR/node$n.pid"; then unset "down_since[$n]"; continue; fi
    if [ -z "${down_since[$n]:-}" ]; then
      down_since[$n]=$SECONDS
      say "node$n (pid $(cat "$DIR/node$n.pid" 2>/dev/null)) is down$([ "$RESTART_SECONDS" -gt 0 ] && echo "; starting it again in $RESTART_SECONDS s")"
    elif [ "$RESTART_SECONDS" -gt 0 ] && [ $((SECONDS - down_since[$n])) -ge "$RESTART_SECONDS" ]; then
      say "starting node$n again"
      start_node "$n"
      unset "down_since[$n]"
    fi
  done
  alive "$DIR/nginx.pid" || die "nginx exited; see $DIR/nginx.log"
  alive "$DIR/ami-sim.pid" || die "the AMI simulator exited; see $DIR/ami-sim.log"
done
