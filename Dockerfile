# syntax=docker/dockerfile:1
# One recipe for every deployable, chosen by build argument:
#   docker build --build-arg TARGET=functions/identity -t consilium-identity .
#   docker build --build-arg TARGET=bus-worker -t consilium-bus-worker .
#   docker build --build-arg TARGET=migrate    -t consilium-migrate .
# TARGET names a bundle of `npm run build` (dist/<TARGET>.mjs).
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build \
 && mkdir -p /out/migrations \
 && cp --parents shared/*/migrations/*.sql functions/*/migrations/*.sql /out/migrations/ 2>/dev/null || true

FROM node:${NODE_VERSION}-bookworm-slim
ARG TARGET
ENV NODE_ENV=production \
    MIGRATIONS_ROOT=/app/migrations \
    NODE_OPTIONS=--enable-source-maps \
    ENTRY=${TARGET}
WORKDIR /app
# Only the one bundle (dependencies inside), its source map (same base name, as the bundle's comment expects) and
# the SQL migrations: nothing to install, a small image, a read-only root filesystem is fine.
COPY --from=build /src/dist/${TARGET}.mjs /src/dist/${TARGET}.mjs.map ./
COPY --from=build /out/migrations ./migrations
USER node
EXPOSE 8080
# exec: node becomes PID 1's child-free replacement, so SIGTERM reaches it and it drains.
CMD ["sh", "-c", "exec node \"$(basename \"$ENTRY\").mjs\""]
