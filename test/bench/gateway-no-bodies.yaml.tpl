# As gateway.yaml.tpl, with request/response bodies left out of the request log (rows are still written):
# `BENCH_LOG_BODIES=0 npm run bench` measures what storing bodies costs.
providers:
  mock: { type: openai-compatible, baseUrl: "{UPSTREAM}/v1", apiKey: sk-bench }
routes:
  {MODEL}:
    targets:
      - { model: mock/{MODEL} }
logs: { storeBodies: false }
