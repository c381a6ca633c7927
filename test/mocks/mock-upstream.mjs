#!/usr/bin/env node
// Vendored unchanged from shared/bench/mock-upstream.mjs so tests run from a clone that has only this repo.
// mock-upstream.mjs — a fast, deterministic mock LLM provider (node:http only, no deps).
//
// What it is for: the upstream behind DIRECT / PORTKEY / GATEWAY in compare.sh, and a
// wire-format fixture for tests. It measures nothing itself.
//
// Run:  node mock-upstream.mjs [--port 0] [--host 127.0.0.1] [--latency-ms 0]
//                              [--chunks 20] [--chunk-interval-ms 0]
//       (env: MOCK_PORT, MOCK_HOST, MOCK_LATENCY_MS, MOCK_CHUNKS, MOCK_CHUNK_INTERVAL_MS)
// First stdout line is always `listening <port>` (useful with --port 0).
//
// Endpoints (real wire formats):
//   OpenAI    POST /v1/chat/completions  (JSON, or SSE when "stream": true)
//             GET  /v1/models
//             POST /v1/embeddings        (8 floats derived from sha256 of each input)
//   Anthropic POST /v1/messages          (JSON, or SSE event sequence when "stream": true)
//   Ollama    GET  /api/tags
//             POST /api/chat             (NDJSON stream by default, JSON when "stream": false)
//   extra     GET  /health
//
// Determinism contract (for tests):
//   reply text      = "Echo: " + <text of the last user message>   (same for stream and non-stream)
//   stream          = exactly --chunks content pieces whose concatenation is the reply text
//                     (if the reply has fewer characters than --chunks, trailing pieces are "")
//   prompt tokens   = max(1, ceil(total characters of all message texts incl. system / 4))
//   completion toks = --chunks
// --latency-ms delays the first byte (headers) of every response; --chunk-interval-ms is the
// pause between consecutive stream events (0 = all events written in one corked burst).

import http from 'node:http';
import { createHash } from 'node:crypto';

// ---------- config ----------
function argOr(name, envName, def) {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return process.env[envName] ?? def;
}
const cfg = {
  port: Number(argOr('port', 'MOCK_PORT', 0)),
  host: String(argOr('host', 'MOCK_HOST', '127.0.0.1')),
  latencyMs: Number(argOr('latency-ms', 'MOCK_LATENCY_MS', 0)),
  chunks: Math.max(1, Number(argOr('chunks', 'MOCK_CHUNKS', 20))),
  chunkIntervalMs: Number(argOr('chunk-interval-ms', 'MOCK_CHUNK_INTERVAL_MS', 0)),
};

// ---------- helpers ----------
let seq = 0;
const nextId = (prefix) => `${prefix}${(++seq).toString(36).padStart(8, '0')}`;
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Text of an OpenAI / Anthropic / Ollama message content (string or array of parts).
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (typeof p === 'string' ? p : p && typeof p.text === 'string' ? p.text : ''))
      .join('');
  }
  return '';
}
function lastUserText(messages) {
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i] && messages[i].role === 'user') return contentText(messages[i].content);
  }
  return '';
}
function promptTokens(messages, system) {
  let chars = contentText(system).length;
  if (Array.isArray(messages)) for (const m of messages) chars += contentText(m && m.content).length;
  return Math.max(1, Math.ceil(chars / 4));
}
// Split text into exactly n contiguous pieces (by code point); some may be "" if text is short.
function splitPieces(text, n) {
  const cps = Array.from(text);
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(cps.slice(Math.floor((i * cps.length) / n), Math.floor(((i + 1) * cps.length) / n)).join(''));
  }
  return out;
}
function reply(messages, system) {
  const text = `Echo: ${lastUserText(messages)}`;
  return {
    text,
    pieces: splitPieces(text, cfg.chunks),
    promptTokens: promptTokens(messages, system),
    completionTokens: cfg.chunks,
  };
}
function embeddingOf(input) {
  const s = typeof input === 'string' ? input : JSON.stringify(input);
  const h = createHash('sha256').update(s).digest();
  const v = [];
  for (let i = 0; i < 8; i++) v.push(Math.round(((h.readUInt16BE(i * 2) / 65535) * 2 - 1) * 1e6) / 1e6);
  return v;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
async function sendJson(res, status, obj, extraHeaders = {}) {
  if (cfg.latencyMs > 0) await sleep(cfg.latencyMs);
  const body = JSON.stringify(obj);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}
function openaiError(res, status, message, type = 'invalid_request_error') {
  return sendJson(res, status, { error: { message, type, param: null, code: null } });
}
// Write a list of stream frames (strings): one corked burst, or paced by --chunk-interval-ms.
async function writeStream(res, status, contentType, frames) {
  if (cfg.latencyMs > 0) await sleep(cfg.latencyMs);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
  });
  if (cfg.chunkIntervalMs > 0) {
    for (let i = 0; i < frames.length; i++) {
      if (i > 0) await sleep(cfg.chunkIntervalMs);
      if (res.destroyed) return;
      res.write(frames[i]);
    }
    res.end();
  } else {
    res.cork();
    for (const f of frames) res.write(f);
    res.end();
    res.uncork();
  }
}

// ---------- OpenAI ----------
async function openaiChat(req, res, body) {
  const r = reply(body.messages);
  const id = nextId('chatcmpl-mock');
  const created = now();
  const model = body.model || 'mock-gpt';
  const usage = {
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.promptTokens + r.completionTokens,
  };
  if (!body.stream) {
    return sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: r.text, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage,
      system_fingerprint: 'fp_mock',
    });
  }
  const includeUsage = !!(body.stream_options && body.stream_options.include_usage);
  const chunk = (choices, extra = {}) =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_mock',
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    })}\n\n`;
  const frames = [
    chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]),
  ];
  for (const p of r.pieces) {
    frames.push(chunk([{ index: 0, delta: { content: p }, logprobs: null, finish_reason: null }]));
  }
  frames.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]));
  if (includeUsage) frames.push(chunk([], { usage }));
  frames.push('data: [DONE]\n\n');
  return writeStream(res, 200, 'text/event-stream; charset=utf-8', frames);
}

const MODELS = ['mock-gpt', 'mock-gpt-mini', 'mock-embed'];
function openaiModels(req, res) {
  return sendJson(res, 200, {
    object: 'list',
    data: MODELS.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'mock' })),
  });
}

function openaiEmbeddings(req, res, body) {
  const inputs = Array.isArray(body.input) && body.input.every((x) => typeof x === 'string')
    ? body.input
    : Array.isArray(body.input) && body.input.length && Array.isArray(body.input[0])
      ? body.input // array of token arrays
      : [body.input ?? ''];
  let tokens = 0;
  const data = inputs.map((inp, index) => {
    tokens += Array.isArray(inp) ? inp.length : Math.max(1, Math.ceil(String(inp).length / 4));
    const vec = embeddingOf(inp);
    const embedding = body.encoding_format === 'base64'
      ? Buffer.from(new Float32Array(vec).buffer).toString('base64')
      : vec;
    return { object: 'embedding', index, embedding };
  });
  return sendJson(res, 200, {
    object: 'list',
    data,
    model: body.model || 'mock-embed',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

// ---------- Anthropic ----------
async function anthropicMessages(req, res, body) {
  const r = reply(body.messages, body.system);
  const id = nextId('msg_mock');
  const model = body.model || 'mock-claude';
  if (!body.stream) {
    return sendJson(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: r.text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: r.promptTokens, output_tokens: r.completionTokens },
    });
  }
  const ev = (name, data) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  const frames = [
    ev('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: r.promptTokens, output_tokens: 1 },
      },
    }),
    ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ];
  for (const p of r.pieces) {
    frames.push(ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } }));
  }
  frames.push(ev('content_block_stop', { type: 'content_block_stop', index: 0 }));
  frames.push(ev('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: r.completionTokens },
  }));
  frames.push(ev('message_stop', { type: 'message_stop' }));
  return writeStream(res, 200, 'text/event-stream; charset=utf-8', frames);
}
function anthropicError(res, status, message) {
  return sendJson(res, status, { type: 'error', error: { type: 'invalid_request_error', message } });
}

// ---------- Ollama ----------
const OLLAMA_MODEL = 'mock-llama:latest';
function ollamaTags(req, res) {
  return sendJson(res, 200, {
    models: [
      {
        name: OLLAMA_MODEL,
        model: OLLAMA_MODEL,
        modified_at: '2024-01-01T00:00:00Z',
        size: 1000000,
        digest: createHash('sha256').update(OLLAMA_MODEL).digest('hex'),
        details: {
          parent_model: '',
          format: 'gguf',
          family: 'llama',
          families: ['llama'],
          parameter_size: '1B',
          quantization_level: 'Q4_0',
        },
      },
    ],
  });
}
async function ollamaChat(req, res, body) {
  const r = reply(body.messages);
  const model = body.model || OLLAMA_MODEL;
  const createdAt = new Date().toISOString();
  const stats = {
    total_duration: 1000000,
    load_duration: 100000,
    prompt_eval_count: r.promptTokens,
    prompt_eval_duration: 200000,
    eval_count: r.completionTokens,
    eval_duration: 700000,
  };
  if (body.stream === false) {
    return sendJson(res, 200, {
      model,
      created_at: createdAt,
      message: { role: 'assistant', content: r.text },
      done_reason: 'stop',
      done: true,
      ...stats,
    });
  }
  const frames = r.pieces.map(
    (p) => JSON.stringify({ model, created_at: createdAt, message: { role: 'assistant', content: p }, done: false }) + '\n',
  );
  frames.push(
    JSON.stringify({
      model,
      created_at: createdAt,
      message: { role: 'assistant', content: '' },
      done_reason: 'stop',
      done: true,
      ...stats,
    }) + '\n',
  );
  return writeStream(res, 200, 'application/x-ndjson', frames);
}

// ---------- router ----------
const server = http.createServer(async (req, res) => {
  try {
    const path = req.url.split('?')[0];
    const m = req.method;
    if (m === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (m === 'GET' && path === '/v1/models') return openaiModels(req, res);
    if (m === 'GET' && path === '/api/tags') return ollamaTags(req, res);
    const routes = {
      '/v1/chat/completions': [openaiChat, openaiError],
      '/v1/embeddings': [openaiEmbeddings, openaiError],
      '/v1/messages': [anthropicMessages, anthropicError],
      '/api/chat': [ollamaChat, (r, s, msg) => sendJson(r, s, { error: msg })],
    };
    const route = routes[path];
    if (m === 'POST' && route) {
      const raw = await readBody(req);
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        return route[1](res, 400, 'request body is not valid JSON');
      }
      if (!body || typeof body !== 'object') return route[1](res, 400, 'request body must be a JSON object');
      return await route[0](req, res, body);
    }
    return openaiError(res, 404, `no route for ${m} ${path}`, 'not_found');
  } catch (err) {
    if (!res.headersSent) openaiError(res, 500, String(err && err.message), 'server_error');
    else res.destroy(err);
  }
});
// Keep-alive on, with timeouts longer than any client pool's idle timeout.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.listen(cfg.port, cfg.host, () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)).closeAllConnections());
