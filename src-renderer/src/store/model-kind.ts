/**
 * Whether a model only embeds text. `/v1/models` carries no kind, so the name decides: OpenAI's
 * `text-embedding-*`, Ollama's `nomic-embed-text` / `mxbai-embed-large` and the common open families
 * (BGE, GTE, E5, MiniLM) say so in their names. A chat model named otherwise stays listed.
 */
const EMBEDDING_NAME = /embed|(^|[/:_-])(bge|gte|e5)([/:_-]|$)|minilm/i

export function isEmbeddingModel(id: string): boolean {
  return EMBEDDING_NAME.test(id)
}
