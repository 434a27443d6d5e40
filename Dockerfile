# Shopdesk server image. The build stage runs the same scripts/install-production.sh that CI tests on a
# fresh clone (e2e/install-production.test.ts): npm ci, npm run build, npm prune --omit=dev.
# docs/operations.md "Containers".
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN sh scripts/install-production.sh

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SHOPDESK_DATA_DIR=/data
WORKDIR /app
# Only what a server runs: the pruned dependencies, the server bundle, migrations, the built front-ends.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages/contracts/package.json ./packages/contracts/package.json
COPY --from=build /app/apps/server/package.json ./apps/server/package.json
COPY --from=build /app/apps/server/bin ./apps/server/bin
COPY --from=build /app/apps/server/dist ./apps/server/dist
COPY --from=build /app/apps/server/migrations ./apps/server/migrations
COPY --from=build /app/apps/dashboard/dist ./apps/dashboard/dist
COPY --from=build /app/apps/widget/dist ./apps/widget/dist
RUN mkdir -p /data && chown node:node /data
# The image's own unprivileged user (uid 1000); the data dir is its volume.
USER node
VOLUME ["/data"]
EXPOSE 3000 2525
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/server/bin/shopdesk.js", "start"]
