#!/usr/bin/env node
// Draws the tray icon (resources/tray.png, and tray@2x.png for high-DPI trays): a teal rounded square
// with two white rails that diverge, a railway switch. Written with zlib only, so no image library is
// needed; rerun after changing the drawing and commit the PNGs.
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources')

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}
function png(size, pixel) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // RGBA
  const rows = []
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4) // filter byte 0, then pixels
    for (let x = 0; x < size; x++) row.set(pixel((x + 0.5) / size, (y + 0.5) / size), 1 + x * 4)
    rows.push(row)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** Distance from point (px,py) to the segment (ax,ay)-(bx,by), all in 0..1 units. */
function toSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax
  const dy = by - ay
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy))
}

function pixel(x, y) {
  const r = 0.22 // corner radius
  const cx = Math.min(Math.max(x, r), 1 - r)
  const cy = Math.min(Math.max(y, r), 1 - r)
  if (Math.hypot(x - cx, y - cy) > r + 0.02) return [0, 0, 0, 0]
  const rail = Math.min(
    toSegment(x, y, 0.5, 0.86, 0.5, 0.5), // the shared track
    toSegment(x, y, 0.5, 0.5, 0.28, 0.16), // branch left
    toSegment(x, y, 0.5, 0.5, 0.72, 0.16), // branch right
  )
  return rail < 0.085 ? [255, 255, 255, 255] : [15, 157, 138, 255]
}

writeFileSync(join(out, 'tray.png'), png(16, pixel))
writeFileSync(join(out, 'tray@2x.png'), png(32, pixel))
writeFileSync(join(out, 'icon.png'), png(512, pixel))
