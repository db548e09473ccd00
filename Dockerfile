# syntax=docker/dockerfile:1
# The Promoter GitHub App server. Build: `docker build -t promoter .`; run: see README ("Run it").
# test/deploy/dockerfile.test.ts checks what can be checked without a Docker engine.

# Build stage: compile the TypeScript sources with tsc.
FROM node:20.18.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled code only, as the non-root `node` user.
FROM node:20.18.1-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
COPY schema ./schema
USER node
EXPOSE 3000
# 503 while Redis (REDIS_URL) is unreachable: the replica is then taken out of rotation.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The command line is in the image too: `docker run --rm -v "$PWD:/repo" promoter node dist/cli.js report /repo`
CMD ["node", "dist/server.js"]
