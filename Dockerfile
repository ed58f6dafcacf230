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
RUN npm run build
# Keep the folder layout (shared/bus/migrations/…, functions/<name>/migrations/…): the schema is the folder's name.
RUN mkdir -p /out/migrations && find shared functions -path '*/migrations/*.sql' -exec cp --parents {} /out/migrations/ \;

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
# exec replaces the shell, so node itself receives SIGTERM and drains.
CMD ["sh", "-c", "exec node \"$(basename \"$ENTRY\").mjs\""]
