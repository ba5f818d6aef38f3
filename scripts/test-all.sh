#!/usr/bin/env bash
# The whole test run: the README's test command and CI both run exactly this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/services.sh
echo "== build"
pnpm -r --filter './packages/**' run build
echo "== typecheck"
pnpm -r run typecheck
echo "== lint"
pnpm exec biome check .
echo "== package checks (publint, arethetypeswrong)"
pnpm -r --filter './packages/**' run check:package
echo "== browser bundle size (@quantumapi/sdk/verify, gzip -9)"
pnpm --filter @quantumapi/sdk run size:verify --published
echo "== tests"
results="$(mktemp -d)"
status=0
for pkg in packages/*/ packages/*/compat/*/; do
  [ -f "$pkg/package.json" ] || continue
  if node -e "process.exit(require('./$pkg/package.json').scripts?.test ? 0 : 1)"; then
    name="$(basename "$pkg")"
    ( cd "$pkg" && pnpm exec vitest run --reporter=default --reporter=json --outputFile="$results/$name.json" ) || status=1
  fi
done
node scripts/summarize-tests.mjs "$results"
exit $status
