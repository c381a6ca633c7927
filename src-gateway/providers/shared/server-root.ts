/**
 * The server root behind an OpenAI-shaped base URL (`http://host:1234/v1` → `http://host:1234`), where
 * local servers keep their own endpoints (llama.cpp's /props, LM Studio's /api/v0).
 */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/v1$/, '')
}

const PRIVATE_HOST =
  /^(localhost|.*\.localhost|.*\.local|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|\[::1\])$/

/** Whether the base URL is on this machine or its local network, where a desktop model server would be. */
export function isPrivateHost(baseUrl: string): boolean {
  return PRIVATE_HOST.test(new URL(baseUrl).hostname)
}
