# Shared steps of scripts/demo.sh and scripts/test.sh: install what is missing, start what is needed.
# Everything the project needs on a fresh Debian machine with Node 20 is installed from here.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VAR_DIR="${DATA_DIR:-$ROOT/var}"
mkdir -p "$VAR_DIR"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mxx\033[0m %s\n' "$*" >&2; exit 1; }

# apt_install CMD:PACKAGE ... installs the Debian packages whose command is missing.
apt_install() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# npm packages exactly as locked, when node_modules is missing or older than the lock file.
npm_install() {
  command -v node >/dev/null || die "Node.js 20.19 or newer is needed (https://nodejs.org or Debian's nodejs)"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  if [ ! -f server/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt server/generated/prisma/client.ts ]; then
    say "generating the Prisma client"
    bash scripts/prisma.sh generate >/dev/null
  fi
}

build_ui() {
  say "building the console (Vite)"
  node_modules/.bin/vite build --config agent-ui/vite.config.ts --logLevel warn
}

# tcp_answers HOST PORT: true when something accepts connections there.
tcp_answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

redis_answers() {
  local host=$1 port=$2 reply
  # Braced: a bare "exec 3<>... 2>/dev/null" would send the script's own stderr to /dev/null for good.
  { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 reply <&3 || true
  exec 3>&-
  [[ "$reply" == +PONG* || "$reply" == -NOAUTH* ]]
}

# With REDIS_URL unset and no Redis on 127.0.0.1:6379, start a private redis-server (data under var/).
ensure_redis() {
  [ -n "${REDIS_URL:-}" ] && return 0
  redis_answers 127.0.0.1 6379 && return 0
  apt_install redis-server:redis-server
  mkdir -p "$VAR_DIR/redis"
  say "starting a private redis-server on 127.0.0.1:6379 (data in $VAR_DIR/redis)"
  redis-server --port 6379 --bind 127.0.0.1 --daemonize yes --dir "$VAR_DIR/redis" \
    --pidfile "$VAR_DIR/redis/redis.pid" --logfile "$VAR_DIR/redis/redis.log" --save 60 1000 --appendonly no
  for _ in $(seq 1 50); do redis_answers 127.0.0.1 6379 && return 0; sleep 0.1; done
  die "redis-server did not start; see $VAR_DIR/redis/redis.log"
}
