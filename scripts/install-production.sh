#!/usr/bin/env sh
# The production install: every dependency, one build of everything a server runs (dashboard, widget,
# server bundle), then the dev dependencies removed. Afterwards `node apps/server/bin/shopdesk.js start`
# (or `NODE_ENV=production npm start`) runs without any build tool. The Dockerfile runs this very script,
# and e2e/install-production.test.ts runs it on a fresh clone.
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund ${NPM_CI_FLAGS:-}
npm run build
npm prune --omit=dev --no-audit --no-fund
echo "Installed for production: start with  NODE_ENV=production node apps/server/bin/shopdesk.js start"
