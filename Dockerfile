# The headless Switchyard gateway (web UI included, no Electron), for several instances behind a load balancer:
# see compose.yaml and README's "Running several instances".

# Build stage: every dependency, the web UI and the gateway compiled into dist/, then the dev ones dropped.
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source where no prebuilt binary can be downloaded.
RUN apt-get update \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The desktop shell's binary is no use to a server; its package stays (an optional dependency), its download not.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
COPY package.json package-lock.json ./
# The postinstall step lives in scripts/.
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:headless && npm prune --omit=dev --no-audit --no-fund

# Final stage: production dependencies, dist/ and what `serve` reads at run time (package.json for the root
# and version, the bundled default config), run as the image's unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  PORT=4141 \
  SWITCHYARD_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/resources/default-config.yaml ./resources/default-config.yaml
# The request log, secret store, admin token and (with compose) the config copy: one volume per gateway.
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 4141
# /ready is 503 while a configured backend (Redis) is unreachable and its policies fail closed, so the load
# balancer and the orchestrator take this gateway out until it can serve again. Node's fetch: the slim image has no
# curl. Plain HTTP on loopback: a config with server.tls needs this line changed to https.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/gateway/cli.js"]
# Off loopback, serve refuses to start unless the config has client keys (keys:); clients then address the
# gateway by a name in server.allowedHosts. Give it a config with both: --config, or DATA_DIR/config.yaml.
CMD ["serve", "--host", "0.0.0.0", "--data-dir", "/data"]
