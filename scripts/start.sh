#!/usr/bin/env bash
# `npm start`: sets up, builds and packages Runtime Lens, then serves VS Code (code-server)
# with the extension installed on the demo workspace and prints its URL. Runs until Ctrl-C.
#
# Usage: scripts/start.sh [FOLDER]      (default FOLDER: test/fixtures/demo-workspace)
# Environment:
#   RUNTIME_LENS_CACHE   cache folder for node@24, code-server and this script's VS Code state
#   RUNTIME_LENS_PORT    port on 127.0.0.1 (default: a free one)
#   RUNTIME_LENS_START_STATE   folder for this script's VS Code user data, extensions and log
#                        (default: the cache folder's start/)
#   RUNTIME_LENS_VSIX    install this .vsix instead of building and packaging one
#   RUNTIME_LENS_SKIP_SETUP=1  do not run scripts/setup.sh
# Ctrl-C (SIGINT) or SIGTERM, at any step, stops the step or code-server with everything they
# started (extension hosts, the agent, the probe) before the script exits.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { printf 'start: %s\n' "$*" >&2; }
die() { printf 'start: error: %s\n' "$*" >&2; exit 1; }

# The step running now and code-server each run in their own process group (setsid), so that
# a signal to this script (Ctrl-C, or SIGTERM forwarded by npm) reaches all they started.
step_pid=
server_pid=
# SIGTERM to PID's process group; SIGKILL to what is left after 20 s. Returns once none of it runs.
stop_group() { # PID
  local pid=$1 left
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for _ in $(seq 200); do
    left=$(ps -e -o pgid=,stat= | awk -v g="$pid" '$1 == g && $2 !~ /^Z/' | wc -l)
    [[ $left -eq 0 ]] && break
    sleep 0.1
  done
  if [[ $left -ne 0 ]]; then
    say "$left process(es) of group $pid still running 20 s after SIGTERM; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
stop_all() {
  trap - EXIT
  if [[ -n "$step_pid" ]]; then stop_group "$step_pid"; fi
  if [[ -n "$server_pid" ]]; then stop_group "$server_pid"; fi
}
on_signal() { # NAME STATUS
  trap '' INT TERM # a second signal (npm forwards the one its process group got) must not cut this short
  say "stopping (SIG$1)"
  stop_all
  exit "$2"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap stop_all EXIT
# Runs one step ("$@") in its own process group and waits for it; a signal stops it at once.
step() {
  setsid "$@" &
  step_pid=$!
  local rc=0
  wait "$step_pid" || rc=$?
  step_pid=
  return "$rc"
}

[[ $# -le 1 ]] || die "expected at most one argument, the folder to open (got $#)"
folder=$(realpath -e "${1:-test/fixtures/demo-workspace}" 2>/dev/null) || die "folder '${1}' does not exist"
[[ -d "$folder" ]] || die "'$folder' is not a folder"
port=${RUNTIME_LENS_PORT:-0}
[[ "$port" =~ ^[0-9]+$ && "$port" -le 65535 ]] || die "RUNTIME_LENS_PORT='$port' is not a port number (0-65535)"

[[ -z "${RUNTIME_LENS_VSIX:-}" || -f "${RUNTIME_LENS_VSIX:-}" ]] || die "RUNTIME_LENS_VSIX=$RUNTIME_LENS_VSIX is not a file"
cache=${RUNTIME_LENS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/runtime-lens}
state=${RUNTIME_LENS_START_STATE:-$cache/start}
mkdir -p "$state"
out="$state/step.out"

if [[ -f scripts/setup.sh && "${RUNTIME_LENS_SKIP_SETUP:-0}" != 1 ]]; then
  say "[1/5] setup (scripts/setup.sh)"
  step bash scripts/setup.sh
else
  say "[1/5] setup skipped"
fi

if [[ -n "${RUNTIME_LENS_VSIX:-}" ]]; then
  say "[2/5] using $RUNTIME_LENS_VSIX (RUNTIME_LENS_VSIX)"
  vsix=$(realpath "$RUNTIME_LENS_VSIX")
else
  say "[2/5] building and packaging the extension"
  step bash scripts/package.sh >"$out"
  vsix=$(tail -1 "$out")
fi

say "[3/5] code-server (installed once into the cache; the first time takes a few minutes)"
step bash scripts/codeserver.sh >"$out"
code_server=$(tail -1 "$out")

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
step "$code_server" "${dirs[@]}" --install-extension "$vsix" --force >&2

say "[5/5] starting code-server on $folder"
log="$state/code-server.log"
: >"$log"
setsid "$code_server" "${dirs[@]}" --auth none --bind-addr "127.0.0.1:$port" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  "$folder" >>"$log" 2>&1 &
server_pid=$!

# code-server prints the address it bound: "HTTP server listening on http://127.0.0.1:PORT/"
origin=
for _ in $(seq 600); do
  origin=$(grep -oE 'HTTP server listening on http://127\.0\.0\.1:[0-9]+' "$log" | head -1 | awk '{print $NF}') || true
  [[ -n "$origin" ]] && break
  kill -0 "$server_pid" 2>/dev/null || die "code-server exited before listening; its log ($log):
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
rc=0
wait "$server_pid" || rc=$?
say "code-server exited (status $rc); see $log"
exit "$rc"
