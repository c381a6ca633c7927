// A remote file's media type, from its URL alone (providers do no I/O, so they cannot ask the server).

const MIME_TYPE_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  mp4: 'video/mp4',
}

/** Guesses from the path's extension; `fallback` when the URL has none we know. */
export function mimeTypeFromUrl(url: string, fallback: string): string {
  let path = url
  try {
    path = new URL(url).pathname
  } catch {
    // not an absolute URL: use it as a path
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase()
  return (ext && MIME_TYPE_BY_EXTENSION[ext]) || fallback
}
