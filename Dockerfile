# syntax=docker/dockerfile:1
# Build stage: compile the TypeScript sources.
FROM node:20.18.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: the lock file lists only the Linux builds of platform-specific optional packages.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled code only, as a non-root user.
FROM node:20.18.1-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
COPY schema ./schema
USER node
# `docker run -v "$PWD:/repo" promoter report /repo`
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["--help"]
