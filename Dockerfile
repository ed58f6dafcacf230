# syntax=docker/dockerfile:1
# One recipe for every deployable. TARGET names a bundle of `npm run build` (dist/<TARGET>.mjs):
#   docker build --build-arg TARGET=functions/identity -t consilium-identity .   # one function
#   docker build --build-arg TARGET=bus-worker -t consilium-bus-worker .
#   docker build -t consilium .                                                   # every bundle (TARGET=all);
#                                                                                 # the pod's command picks one
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG TARGET=all
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build
# The selected bundle with its source map, at the same path as in dist/ (the path infra's commands use), and the
# lazily loaded chunks the bundles share.
RUN mkdir -p /out/dist \
 && if [ "$TARGET" = all ]; then cp -r dist/. /out/dist/; \
    else mkdir -p "/out/dist/$(dirname "$TARGET")" && cp "dist/$TARGET.mjs" "dist/$TARGET.mjs.map" "/out/dist/$(dirname "$TARGET")/" \
         && cp -r dist/chunks /out/dist/; fi
# Native addons stay outside the bundles (triggers/build.ts EXTERNAL_PACKAGES); ship them, and nothing else.
# documents (PDF text, OCR) also loads pdf.js and tesseract.js with their WASM core, language data and the few
# packages they require at run time; only its image (or the all-in-one image) carries them.
ARG DOCUMENTS_PACKAGES="pdfjs-dist tesseract.js tesseract.js-core bmp-js idb-keyval is-url node-fetch whatwg-url tr46 webidl-conversions opencollective-postinstall regenerator-runtime wasm-feature-detect zlibjs @napi-rs @tesseract.js-data"
RUN mkdir -p /out/node_modules/@node-rs && cp -r node_modules/@node-rs/. /out/node_modules/@node-rs/ \
 && if [ "$TARGET" = all ] || [ "$TARGET" = functions/documents ]; then \
      for p in $DOCUMENTS_PACKAGES; do cp -r "node_modules/$p" "/out/node_modules/$p"; done; \
    fi
# Keep the folder layout (shared/bus/migrations/…, functions/<name>/migrations/…): the schema is the folder's name.
RUN mkdir -p /out/migrations && find shared functions -path '*/migrations/*.sql' -exec cp --parents {} /out/migrations/ \;

FROM node:${NODE_VERSION}-bookworm-slim
ARG TARGET=all
ENV NODE_ENV=production \
    MIGRATIONS_ROOT=/app/migrations \
    NODE_OPTIONS=--enable-source-maps \
    ENTRY=${TARGET}
WORKDIR /app
# Bundles carry their dependencies but native addons: nothing to install, a small image, a read-only root filesystem.
COPY --from=build /out/dist ./dist
COPY --from=build /out/node_modules ./node_modules
COPY --from=build /out/migrations ./migrations
USER node
EXPOSE 8080
# exec replaces the shell, so node itself receives SIGTERM and drains.
CMD ["sh", "-c", "exec node \"dist/$ENTRY.mjs\""]
