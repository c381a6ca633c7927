#!/usr/bin/env node
// Memory tuning goes first, and the CLI proper is imported only after it: parsing the gateway's
// modules is the first thing that grows V8's young generation, so static imports would come too late.
import './memory-tuning.js'

await import('./commands.js')
