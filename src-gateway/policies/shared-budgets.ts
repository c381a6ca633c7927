import type { Redis } from 'ioredis'
import type { SharedState } from '../shared-state/redis.js'

/**
 * Budgets several instances share through Redis: one hash per budget and period holding the period's
 * `spent` and one `r:<id>` field per call in flight ("amount|expiresAtMs"). Admission reserves a call's
 * estimate and refuses in the same script, so two instances cannot both take the last dollar; the call's end
 * replaces its reservation by what it cost. A reservation expires on its own, so an instance that died
 * mid-call holds its budget for at most RESERVATION_TTL_MS.
 *
 * The promise: spend passes a budget by at most one call's cost beyond its estimate, plus, per budget, the one
 * call admitted alone when nothing else is in flight (as a single instance admits it) — the same bound as one
 * instance, whatever the number of instances.
 */

/** How long a call's reservation holds without its instance settling it (a crashed instance never will). */
export const RESERVATION_TTL_MS = 15 * 60_000
/** A period's hash outlives its period by a day, so late settles of calls that ran across midnight still land. */
const PERIOD_GRACE_MS = 24 * 3600_000

// KEYS[1] budget hash. ARGV: budget usd, estimate usd ('' when nothing prices the call), seed usd,
// reservation id, reservation ttl ms, expire-at ms ('' for a budget that never resets).
// Returns { 'open'|'spent'|'held', spent, calls in flight before this one }.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local key = KEYS[1]
redis.call('HSETNX', key, 'spent', ARGV[3])
local budget = tonumber(ARGV[1])
local estimate = tonumber(ARGV[2])
local all = redis.call('HGETALL', key)
local spent, reserved, inflight = 0, 0, 0
for i = 1, #all, 2 do
  local f = all[i]
  if f == 'spent' then
    spent = tonumber(all[i + 1])
  elseif string.sub(f, 1, 2) == 'r:' then
    local v = all[i + 1]
    local sep = string.find(v, '|', 1, true)
    if tonumber(string.sub(v, sep + 1)) <= now then
      redis.call('HDEL', key, f)
    else
      reserved = reserved + tonumber(string.sub(v, 1, sep - 1))
      inflight = inflight + 1
    end
  end
end
if ARGV[6] ~= '' then redis.call('PEXPIREAT', key, ARGV[6]) end
if spent >= budget then return { 'spent', tostring(spent), inflight } end
if inflight > 0 and (estimate == nil or spent + reserved + estimate > budget + 1e-9) then
  return { 'held', tostring(spent), inflight }
end
redis.call('HSET', key, 'r:' .. ARGV[4], tostring(estimate or 0) .. '|' .. tostring(now + tonumber(ARGV[5])))
return { 'open', tostring(spent), inflight }
`

// KEYS[1] budget hash. ARGV: reservation id ('' for none), cost usd, seed usd, expire-at ms ('' for never).
// Returns the period's spend after the charge.
const SETTLE = `
local key = KEYS[1]
redis.call('HSETNX', key, 'spent', ARGV[3])
if ARGV[1] ~= '' then redis.call('HDEL', key, 'r:' .. ARGV[1]) end
local spent = redis.call('HINCRBYFLOAT', key, 'spent', ARGV[2])
if ARGV[4] ~= '' then redis.call('PEXPIREAT', key, ARGV[4]) end
return spent
`

interface BudgetCommands {
  switchyardBudgetReserve(key: string, ...args: string[]): Promise<[string, string, number]>
  switchyardBudgetSettle(key: string, ...args: string[]): Promise<string>
}

const defined = new WeakSet<Redis>()

/** The client with the scripts defined on it (EVALSHA, loaded again by ioredis after a Redis restart). */
function commands(redis: Redis): BudgetCommands {
  if (!defined.has(redis)) {
    redis.defineCommand('switchyardBudgetReserve', { numberOfKeys: 1, lua: RESERVE })
    redis.defineCommand('switchyardBudgetSettle', { numberOfKeys: 1, lua: SETTLE })
    defined.add(redis)
  }
  return redis as unknown as BudgetCommands
}

/** One budget in one period, as Redis keys it. */
export interface SharedBudgetRef {
  scope: 'key' | 'workspace'
  name: string
  periodStart: number
  /** Start of the next period; undefined for a budget that never resets. */
  periodEnd: number | undefined
}

export interface SharedReservation {
  room: 'open' | 'spent' | 'held'
  /** The period's spend in Redis (settled calls only). */
  spent: number
  /** Other calls holding reservations on this budget. */
  inFlight: number
}

const redisKey = (shared: SharedState, ref: SharedBudgetRef) =>
  shared.key('budget', ref.scope, ref.name, String(ref.periodStart))
const expireAt = (ref: SharedBudgetRef) => (ref.periodEnd === undefined ? '' : String(ref.periodEnd + PERIOD_GRACE_MS))

/**
 * Reserves `estimateUsd` under `id` when the budget has room (see RESERVE). `seedUsd` is this instance's
 * ledger total for the period, taken only when Redis has no total yet (a new period, or an emptied Redis).
 * Rejects when Redis cannot be reached.
 */
export async function reserveShared(
  shared: SharedState,
  ref: SharedBudgetRef,
  budgetUsd: number,
  estimateUsd: number | undefined,
  seedUsd: number,
  id: string,
  ttlMs = RESERVATION_TTL_MS,
): Promise<SharedReservation> {
  const [room, spent, inFlight] = await commands(shared.redis).switchyardBudgetReserve(
    redisKey(shared, ref),
    String(budgetUsd),
    estimateUsd === undefined ? '' : String(estimateUsd),
    String(seedUsd),
    id,
    String(ttlMs),
    expireAt(ref),
  )
  return { room: room as SharedReservation['room'], spent: Number(spent), inFlight: Number(inFlight) }
}

/**
 * Replaces reservation `id` (if any) by `costUsd`, which is 0 for a call refused after it reserved; returns
 * the period's spend after it. Rejects when Redis cannot be reached (the reservation then expires on its own).
 */
export async function settleShared(
  shared: SharedState,
  ref: SharedBudgetRef,
  id: string | undefined,
  costUsd: number,
  seedUsd: number,
): Promise<number> {
  const spent = await commands(shared.redis).switchyardBudgetSettle(
    redisKey(shared, ref),
    id ?? '',
    String(costUsd),
    String(seedUsd),
    expireAt(ref),
  )
  return Number(spent)
}
