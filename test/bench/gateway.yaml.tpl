# Benchmark config for ../shared/bench/compare.sh (rendered with {PORT} {UPSTREAM} {MODEL}).
# The mock is an OpenAI-compatible provider, so Anthropic-in scenarios measure full translation both ways.
providers:
  mock: { type: openai-compatible, baseUrl: "{UPSTREAM}/v1", apiKey: sk-bench }
routes:
  {MODEL}:
    targets:
      - { model: mock/{MODEL} }
