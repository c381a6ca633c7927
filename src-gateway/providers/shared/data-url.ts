// `data:` URLs as OpenAI clients send images and files, split for upstreams that want raw base64.

export interface InlineData {
  mimeType: string
  /** Base64, without the `data:…;base64,` prefix. */
  data: string
}

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s

/** `data:image/png;base64,iVBOR…` → {mimeType, data}; undefined for anything else (http URLs, non-base64 data URLs). */
export function parseDataUrl(url: string): InlineData | undefined {
  const m = DATA_URL.exec(url)
  if (!m) return undefined
  return { mimeType: m[1] || 'application/octet-stream', data: m[3] }
}
