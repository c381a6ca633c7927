import type { FastifyInstance } from 'fastify'

const OK = '{"status":"ok"}'

export function registerHealth(app: FastifyInstance): void {
  app.get('/health', (_req, reply) => {
    reply.header('content-type', 'application/json; charset=utf-8').send(OK)
  })
}
