#!/usr/bin/env bash
# `npm start`: sets up, builds and packages Runtime Lens, then serves VS Code (code-server)
# with the extension installed on the demo workspace and prints its URL. Runs until Ctrl-C.
#
# Usage: scripts/start.sh [FOLDER]      (default FOLDER: test/fixtures/demo-workspace)
# Environment:
#   RUNTIME_LENS_CACHE   cache folder for node@24, code-server and this script's VS Code state
#   RUNTIME_LENS_PORT    port on 127.0.0.1 (default: a free one)
#   RUNTIME_LENS_SKIP_SETUP=1  do not run scripts/setup.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { printf 'start: %s\n' "$*" >&2; }
die() { printf 'start: error: %s\n' "$*" >&2; exit 1; }

[[ $# -le 1 ]] || die "expected at most one argument, the folder to open (got $#)"
folder=$(realpath -e "${1:-test/fixtures/demo-workspace}" 2>/dev/null) || die "folder '${1}' does not exist"
[[ -d "$folder" ]] || die "'$folder' is not a folder"
port=${RUNTIME_LENS_PORT:-0}
[[ "$port" =~ ^[0-9]+$ && "$port" -le 65535 ]] || die "RUNTIME_LENS_PORT='$port' is not a port number (0-65535)"

if [[ -f scripts/setup.sh && "${RUNTIME_LENS_SKIP_SETUP:-0}" != 1 ]]; then
  say "[1/5] setup (scripts/setup.sh)"
  bash scripts/setup.sh
else
  say "[1/5] setup skipped"
fi

say "[2/5] building and packaging the extension"
vsix=$(bash scripts/package.sh)

say "[3/5] code-server (installed once into the cache; the first time takes about 2 minutes)"
code_server=$(bash scripts/codeserver.sh)

cache=${RUNTIME_LENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/runtime-lens}
state="$cache/start"
user_data="$state/user-data"
extensions="$state/extensions"
mkdir -p "$user_data/User" "$extensions"
if [[ ! -f "$user_data/User/settings.json" ]]; then
  cat >"$user_data/User/settings.json" <<'EOF'
{
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "chat.disableAIFeatures": true
}
EOF
fi
dirs=(--user-data-dir "$user_data" --extensions-dir "$extensions")

say "[4/5] installing $(basename "$vsix") into $extensions"
"$code_server" "${dirs[@]}" --install-extension "$vsix" --force >&2

say "[5/5] starting code-server on $folder"
log="$state/code-server.log"
: >"$log"
setsid "$code_server" "${dirs[@]}" --auth none --bind-addr "127.0.0.1:$port" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  "$folder" >>"$log" 2>&1 &
pid=$!
stop() {
  trap - INT TERM EXIT
  kill -TERM -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# code-server prints the address it bound: "HTTP server listening on http://127.0.0.1:PORT/"
origin=
for _ in $(seq 600); do
  origin=$(grep -oE 'HTTP server listening on http://127\.0\.0\.1:[0-9]+' "$log" | head -1 | awk '{print $NF}') || true
  [[ -n "$origin" ]] && break
  kill -0 "$pid" 2>/dev/null || die "code-server exited before listening; its log ($log):
$(tail -20 "$log")"
  sleep 0.1
done
[[ -n "$origin" ]] || die "code-server did not listen within 60 s; see $log"

query=$(node -p 'encodeURIComponent(process.argv[1])' "$folder")
echo
echo "  Runtime Lens is running in VS Code at:  $origin/?folder=$query"
echo
echo "  Try F1 → \"Runtime Lens: Trace Command…\" → node app.js"
echo "  No password (bound to 127.0.0.1 only: anyone on this machine can use it). Log: $log"
echo "  Press Ctrl-C to stop."
echo
wait "$pid"
