import type { FastifyInstance } from 'fastify'
import type { GatewayContext } from '../../gateway-context.js'

export function registerOllamaRoutes(_app: FastifyInstance, _gw: GatewayContext): void {}
