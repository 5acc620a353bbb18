#!/usr/bin/env bash
# The whole system in demo mode on the embedded defaults: installs what is missing, starts a private
# Redis if none answers, builds the console, seeds demo data into an empty database, and serves
# http://localhost:${PORT:-3000}.
source "$(dirname "$0")/lib.sh"

apt_install ffmpeg:ffmpeg
npm_install
ensure_redis
build_ui
say "starting the server (Ctrl-C stops it)"
export LOG_FORMAT="${LOG_FORMAT:-pretty}"
exec node_modules/.bin/tsx server/main.ts --demo
