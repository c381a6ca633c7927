/** The longest time the event loop was held, seen by `watchLoopStalls`. */
export interface LoopStalls {
  /** Longest wall-clock gap between two runs of a 1 ms timer: what a request arriving meanwhile waited. */
  wallMs: number
  /**
   * The event loop's own CPU time within such a gap, at most: unlike `wallMs`, it does not grow when the OS
   * gives the core to another process, so a bound on it holds on a busy machine. Node 20 reads CPU time only
   * for the whole process, which also counts V8's GC helper threads and worker threads (the report worker):
   * within one gap the loop's thread cannot have run for longer than the gap, so each gap counts the smaller
   * of the two.
   */
  cpuMs: number
}

/** Watches the event loop for stalls until `stop()`. */
export function watchLoopStalls(): { stop(): LoopStalls } {
  let last = performance.now()
  let lastCpu = process.cpuUsage()
  const longest: LoopStalls = { wallMs: 0, cpuMs: 0 }
  const note = () => {
    const now = performance.now()
    const cpu = process.cpuUsage(lastCpu)
    longest.wallMs = Math.max(longest.wallMs, now - last)
    longest.cpuMs = Math.max(longest.cpuMs, Math.min(now - last, (cpu.user + cpu.system) / 1000))
    last = now
    lastCpu = process.cpuUsage()
  }
  const timer = setInterval(note, 1)
  return {
    stop() {
      clearInterval(timer)
      note()
      return longest
    },
  }
}
