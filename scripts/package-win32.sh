#!/usr/bin/env bash
# The win32-x64 .vsix (scripts/package.sh --target win32-x64 runs this): the bundles, the
# Windows programs (process.o, net.o) and lens-probe.exe in extension/dist/win32/, the static
# Linux programs for remote hosts, the icon, README, LICENSE and package.json. The Linux
# probe, symbolizer and CPython layouts are left out (they run on Linux only).
#   scripts/package-win32.sh BUILD(1|0) OUT
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
say() { printf 'package: %s\n' "$*" >&2; }
die() { printf 'package: error: %s\n' "$*" >&2; exit 1; }

build=$1
out=$2
[[ "$out" = /* ]] || out=$PWD/$out

if [[ $build -eq 1 ]]; then
  say "building the bundles (production)"
  node scripts/build.mjs --production >&2
  say "building the Windows programs and reader (make -C bpf/windows)"
  make -s -C bpf/windows >&2 || die "the Windows programs did not build; run 'make -C bpf/windows' to see why (clang, gcc-mingw-w64-x86-64)"
  { make -s -C bpf/linux static && make -s -C remote-agent/native static && make -s -C remote-agent/host-helper; } >&2 \
    || die "the static programs for remote hosts did not build; run 'bash scripts/build.sh' to see why"
fi

for f in extension/dist/extension.js webview/dist/webview.js remote-agent/dist/runtime-lens.js \
         bpf/windows/.output/lens-probe.exe bpf/windows/.output/process.o bpf/windows/.output/net.o; do
  [[ -f "$f" ]] || die "$f is missing; build it first (npm run build), or drop --no-build"
done
install -m 0755 remote-agent/dist/runtime-lens.js extension/dist/runtime-lens.js
rm -f extension/dist/lens-probe extension/dist/lens-symbolize extension/dist/python-offsets.json  # Linux-only pieces
mkdir -p extension/dist/win32 extension/dist/remote
install -m 0755 bpf/windows/.output/lens-probe.exe extension/dist/win32/
install -m 0644 bpf/windows/.output/process.o bpf/windows/.output/net.o extension/dist/win32/
for f in bpf/linux/.output/static/lens-probe remote-agent/native/.output/static/lens-symbolize remote-agent/host-helper/.output/static/lens-remote; do
  [[ -f "$f" ]] || die "$f is missing; build it first (bash scripts/build.sh), or drop --no-build"
  install -m 0755 "$f" extension/dist/remote/
done
say "copied the agent, lens-probe.exe, process.o and net.o (extension/dist/win32/) and the remote-host programs"

say "running vsce package --target win32-x64"
rm -f "$out"
npx --no-install vsce package --no-dependencies --allow-missing-repository --allow-unused-files-pattern --target win32-x64 --out "$out" </dev/null >&2

listing=$(unzip -Z1 "$out")
allowed='^(\[Content_Types\]\.xml|extension\.vsixmanifest|extension/(package\.json|readme\.md|README\.md|LICENSE(\.txt)?|changelog\.md|CHANGELOG\.md|extension/dist/(extension\.js|runtime-lens\.js|win32/(lens-probe\.exe|process\.o|net\.o)|remote/(lens-probe|lens-symbolize|lens-remote))|webview/dist/[^/]+\.(js|css)|(extension/)?(media|images|resources)/[^/]+\.(png|svg)))$'
unexpected=$(grep -Ev "$allowed" <<<"$listing" || true)
[[ -z "$unexpected" ]] || die "the win32-x64 .vsix holds files outside its allowlist:
$unexpected"
for f in extension/package.json extension/extension/dist/extension.js extension/extension/dist/runtime-lens.js \
         extension/extension/dist/win32/lens-probe.exe extension/extension/dist/win32/process.o extension/extension/dist/win32/net.o \
         extension/webview/dist/webview.js; do
  grep -qxF "$f" <<<"$listing" || die "the win32-x64 .vsix lacks $f (fix package.json \"files\")"
done
grep -q 'TargetPlatform="win32-x64"' <(unzip -p "$out" extension.vsixmanifest) || die "the .vsix manifest does not say win32-x64"

say "$(grep -c . <<<"$listing") files, $(du -h "$out" | cut -f1): $out"
unzip -l "$out" >&2
echo "$out"
