import type { Server } from 'node:net'

export const DEFAULT_MAX_CONNECTIONS_PER_IP = 64

/**
 * Caps open connections per client address, so one LAN host cannot hold every socket the process can
 * open. Only off loopback: on this machine every local process is already trusted with the port, and
 * local tools (agents with many parallel calls) legitimately open many.
 */
export function capConnectionsPerIp(server: Server, max: () => number, offLoopback: () => boolean): void {
  const open = new Map<string, number>()
  server.on('connection', (socket) => {
    if (!offLoopback()) return
    const ip = socket.remoteAddress ?? ''
    const n = (open.get(ip) ?? 0) + 1
    if (n > max()) {
      socket.destroy()
      return
    }
    open.set(ip, n)
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1
      if (left <= 0) open.delete(ip)
      else open.set(ip, left)
    })
  })
}
