#!/usr/bin/env bash
# Writes OUT: a JSON array with one object per CPython 3.11+ whose headers are
# on this machine (Debian's /usr/include/python3.X, pyenv's versions), made by
# compiling offsets.c against those headers and running it. Attached Python
# processes get Python frames for the versions listed (README "Python stacks").
#   offsets.sh OUT [CC]
set -euo pipefail
out=$1
cc=${2:-cc}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
entries=()
for inc in /usr/include/python3.1[1-9] "${PYENV_ROOT:-/root/.pyenv}"/versions/*/include/python3.1[1-9]; do
  [ -f "$inc/Python.h" ] && [ -d "$inc/internal" ] || continue
  if ! "$cc" -I"$inc" -o "$tmp/offsets" "$here/offsets.c" 2>"$tmp/err"; then
    echo "python offsets: skipped $inc (does not compile: $(head -c 300 "$tmp/err"))" >&2
    continue
  fi
  entries+=("$("$tmp/offsets")")
done
{ printf '['; (IFS=,; printf '%s' "${entries[*]}"); printf ']\n'; } > "$tmp/out.json"
mv "$tmp/out.json" "$out"
