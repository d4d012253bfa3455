# source-dataverse: the image the Airbyte platform runs (spec, check, discover, read).
# Two stages so the final image holds no compiler, dev dependency or test file.
# Keep io.airbyte.name / io.airbyte.version equal to metadata.yaml (test/packaging.test.ts checks).

FROM node:24-bookworm-slim AS build
WORKDIR /build
# Dependencies first: this layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY connector ./connector
# The npm package's build config: connector/ only, no source maps.
RUN npx tsc -p tsconfig.build.json

FROM node:24-bookworm-slim
WORKDIR /airbyte/integration_code
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# npm's cache and its debug logs (written even on success) stay out of the layer.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && rm -rf /root/.npm
COPY --from=build /build/dist/connector ./dist/connector
# Read at run time from the package root (connector/paths.ts finds it by package.json + spec.yaml).
COPY spec.yaml ./
COPY schemas ./schemas
COPY connector/manifest.yaml ./connector/manifest.yaml
COPY bin ./bin
# The files stay root-owned and read-only to the connector, which runs as the image's unprivileged user.
USER node

ENV AIRBYTE_ENTRYPOINT="node /airbyte/integration_code/bin/source-dataverse"
ENTRYPOINT ["node", "/airbyte/integration_code/bin/source-dataverse"]

LABEL io.airbyte.name=exopen/source-dataverse
LABEL io.airbyte.version=0.2.0
