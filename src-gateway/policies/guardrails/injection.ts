// A transparent prompt-injection heuristic: a fixed table of signal families, each with a weight, combined
// as independent evidence (noisy-OR: score = 1 − ∏(1 − weight) over the families that fire). So one strong
// family (weight ≥ 0.6) alone scores ≥ 0.6, weak families need company, and every score can be explained
// by the list of families that fired. It is a tripwire for the obvious attacks, not a classifier: quoting an
// attack phrase scores like using it, and a paraphrase it has never seen scores 0.

import { compileSafeRegex } from '../../core/safe-regex.js'

export interface InjectionResult {
  /** 0..1, rounded to two decimals. */
  score: number
  /** The ids of the families that fired, in table order. */
  signals: string[]
}

interface Prepared {
  /** NFKC-normalised, invisible characters removed, whitespace collapsed: for phrases. */
  flat: string
  /** NFKC-normalised, invisible characters removed, line breaks kept: for line-anchored markers. */
  lines: string
  /** As received: for the invisible characters themselves. */
  raw: string
}

interface Signal {
  id: string
  weight: number
  test(t: Prepared): boolean
}

/** A `RegExp`, or an RE2 pattern where a backtracking engine would not be linear. */
interface Pattern {
  test(text: string): boolean
}

const inFlat =
  (...res: Pattern[]) =>
  (t: Prepared) =>
    res.some((re) => re.test(t.flat))
const inLines =
  (...res: RegExp[]) =>
  (t: Prepared) =>
    res.some((re) => re.test(t.lines))

// Zero-width, bidi-control and similar characters that render as nothing. ZWJ/ZWNJ (U+200C/D) are left
// out of the count: emoji sequences and Persian or Indic text use them legitimately.
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]|[\u{E0000}-\u{E007F}]/gu
const SUSPICIOUS_INVISIBLE = /[\u180E\u200B\u202A-\u202E\u2060-\u2064\u2066-\u2069]|(?<!^)\uFEFF/g
// Unicode tag characters spell ASCII that renders as nothing ("ASCII smuggling"); their one legitimate
// use is a subdivision flag such as England's, which is removed before looking.
const TAG_FLAG = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu
const TAG = /[\u{E0000}-\u{E007F}]/u
const BASE64_RUN = /[A-Za-z0-9+/]{120,}={0,2}/g

const countOf = (re: RegExp, s: string) => s.match(re)?.length ?? 0

function hasEncodedPayload(raw: string): boolean {
  for (const m of raw.matchAll(BASE64_RUN)) {
    // Data URIs (pasted images) are base64 by design.
    if (raw.slice(Math.max(0, m.index - 7), m.index) === 'base64,') continue
    if (/[A-Z]/.test(m[0]) && /[a-z]/.test(m[0]) && /\d/.test(m[0])) return true
  }
  return false
}

const PREVIOUS =
  '(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|existing|old|former|given|developer|safety|default)'
const INSTRUCTIONS =
  '(?:instructions?|rules|directions|directives?|prompts?|guidelines|constraints|guardrails|context|programming|commands?|orders|policies|messages?|text)'

/**
 * The families, their weights and what fires them. Weights ≥ 0.6 are strong on their own; below 0.2 a
 * family only tips the score when others fire too.
 *
 * | id                        | weight | fires on                                                              |
 * |---------------------------|--------|-----------------------------------------------------------------------|
 * | ignore-previous-instructions | 0.80 | ignore/disregard/forget … previous/above/system instructions (en, fr, de, es, it, pt) |
 * | role-marker               | 0.70   | chat-template tokens: <|im_start|>, [INST], <<SYS>>, <start_of_turn> … |
 * | no-restrictions           | 0.65   | act/respond … without restrictions; "you have no rules"; uncensored AI |
 * | jailbreak-persona         | 0.65   | "you are DAN", "do anything now", "you are jailbroken"                  |
 * | reveal-system-prompt      | 0.65   | reveal/print/repeat your system prompt or the text above              |
 * | ascii-smuggling           | 0.65   | Unicode tag characters (invisible ASCII) outside a flag emoji         |
 * | role-heading              | 0.50   | a forged turn header: "### System:", "[SYSTEM]", <system>, "SYSTEM:"   |
 * | exfiltration              | 0.50   | send the conversation/secrets to a URL or address; image-URL beacons  |
 * | hidden-instructions       | 0.50   | decode … and follow; follow the hidden instructions; "AI reading this" |
 * | new-instructions          | 0.45   | "new instructions:", "your real task is"                               |
 * | developer-mode            | 0.40   | "developer mode enabled/output", "you are in developer mode"          |
 * | conversation-end          | 0.35   | "END OF USER INPUT", "</user>", a "Human:"/"Assistant:" turn           |
 * | refusal-suppression       | 0.35   | "never refuse", "regardless of your rules", "without ethical concerns"|
 * | role-reassignment         | 0.30   | "you are now …", "from now on you will …"                              |
 * | invisible-characters      | 0.30   | three or more zero-width or bidi-override characters                  |
 * | encoded-payload           | 0.15   | a 120+ character base64 run that is not a data URI                    |
 * | many-overrides            | 0.15   | four or more override verbs (ignore, bypass, obey, instead …)          |
 * | jailbreak-mention         | 0.10   | the word "jailbreak" itself                                            |
 */
export const INJECTION_SIGNALS: readonly Signal[] = [
  {
    id: 'ignore-previous-instructions',
    weight: 0.8,
    test: inFlat(
      new RegExp(
        `\\b(?:ignore|disregard|forget|override|bypass|discard|abandon|neglect)\\s+(?:(?:all|any|every)\\s+)?(?:of\\s+)?(?:(?:the|your|my|their|our|these|those|its)\\s+)?(?:${PREVIOUS}\\s+)+${INSTRUCTIONS}\\b`,
        'i',
      ),
      /\b(?:ignore|disregard|forget)\s+(?:all|everything|anything)\s+(?:(?:that\s+)?you(?:'ve|\s+have|\s+were)?\s+(?:been\s+)?(?:told|given|taught)|(?:that\s+came\s+)?(?:above|before|previously|so\s+far))/i,
      /\b(?:ignore|disregard|forget)\s+(?:all\s+(?:of\s+)?)?your\s+(?:instructions|rules|guidelines|programming|training|restrictions)\b/i,
      /\bignor(?:e|ez|er)\s+(?:toutes?\s+)?(?:les|tes|vos)\s+(?:instructions|consignes|règles)\s+(?:précédentes|precedentes|antérieures|anterieures|ci-dessus)/i,
      /\bignorier(?:e|en|t)?\s+(?:alle\s+)?(?:vorherigen|vorigen|bisherigen|obigen|früheren|vorangegangenen)\s+(?:Anweisungen|Instruktionen|Regeln|Befehle)/i,
      /\bignor(?:a|e|ad|en|ar)\s+(?:todas\s+)?(?:las|tus|sus)\s+(?:instrucciones|reglas|indicaciones)\s+(?:anteriores|previas)/i,
      /\bignora(?:re)?\s+(?:tutte\s+)?le\s+(?:istruzioni|regole)\s+precedenti/i,
      /\bignor(?:e|a|ar)\s+(?:todas\s+)?as\s+(?:instruções|instrucoes|regras)\s+anteriores/i,
    ),
  },
  {
    id: 'role-marker',
    weight: 0.7,
    test: inFlat(
      /<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>/i,
      /\[\/?INST\]/i,
      /<<\/?SYS>>/i,
      /<\/?(?:start_of_turn|end_of_turn)>/i,
    ),
  },
  {
    id: 'no-restrictions',
    weight: 0.65,
    test: inFlat(
      /\b(?:act|behave|respond|answer|pretend|operate|roleplay|role-play)\b[^.!?]{0,60}?\b(?:without|with\s+no|free\s+(?:of|from)|ignoring)\s+(?:any\s+|all\s+)?(?:restrictions|limits|limitations|filters|filtering|rules|guidelines|censorship|constraints|ethics|morals|safety|boundaries)\b/i,
      /\byou\s+(?:have|are\s+under)\s+no\s+(?:restrictions|limits|limitations|filters|rules|guidelines|censorship|constraints|boundaries)\b/i,
      /\b(?:unrestricted|uncensored|unfiltered|unaligned|amoral)\s+(?:ai|assistant|model|chatbot|mode|version|llm)\b/i,
      /\b(?:freed|liberated|released)\s+from\s+(?:the\s+)?(?:typical\s+)?(?:confines|restrictions|rules|limitations|shackles)\b/i,
    ),
  },
  {
    id: 'jailbreak-persona',
    weight: 0.65,
    test: inFlat(
      // DAN in capitals only: Dan is a name.
      /\b(?:[Yy]ou\s+are(?:\s+now)?|[Aa]ct\s+as|[Bb]ecome|[Cc]alled|[Nn]amed|[Pp]retend\s+to\s+be)\s+(?:a\s+)?DAN\b|\bDAN\s+(?:[Mm]ode|[Pp]rompt)\b/,
      /\bdo\s+anything\s+now\b/i,
      /\b(?:you\s+are|you're|you\s+have\s+been)\s+(?:now\s+)?jailbroken\b|\bjailbreak\s+mode\b/i,
    ),
  },
  {
    id: 'reveal-system-prompt',
    weight: 0.65,
    test: inFlat(
      /\b(?:reveal|print|show|output|repeat|display|recite|leak|dump|expose|disclose|tell\s+me|give\s+me|write\s+out|spell\s+out)\s+(?:me\s+)?(?:all\s+(?:of\s+)?)?(?:your|the)\s+(?:(?:full|entire|complete|original|initial|hidden|secret|exact|verbatim|internal|confidential)\s+)*(?:system\s+(?:prompt|message|instructions?)|initial\s+(?:prompt|instructions)|hidden\s+(?:prompt|instructions)|instructions\s+(?:you\s+were\s+given|above))/i,
      /\b(?:reveal|print|show|output|repeat|display|tell\s+me|give\s+me)\s+(?:me\s+)?your\s+(?:instructions|prompt|rules)\b/i,
      /\bwhat\s+(?:is|are|was|were)\s+your\s+(?:system\s+prompt|(?:initial|original|hidden|secret)\s+(?:instructions|prompt))/i,
      /\brepeat\s+(?:the\s+|all\s+(?:of\s+)?(?:the\s+)?)?(?:words|text|everything|lines|content)\s+(?:above|before|prior)/i,
    ),
  },
  {
    id: 'ascii-smuggling',
    weight: 0.65,
    test: (t) => TAG.test(t.raw.replace(TAG_FLAG, '')),
  },
  {
    id: 'role-heading',
    weight: 0.5,
    test: inLines(
      /^[^\S\n]*#{1,6}[^\S\n]*(?:system|developer)(?:[^\S\n]+(?:prompt|message|instructions?|override))?[^\S\n]*:/im,
      /^[^\S\n]*\[(?:system|developer)(?:[^\S\n]+(?:prompt|message|note))?\]/im,
      /<\/?system(?:[-_](?:prompt|message|instructions?))?>/i,
      /^[^\S\n]*SYSTEM(?:[^\S\n]+(?:PROMPT|MESSAGE|OVERRIDE))?[^\S\n]*:/m,
    ),
  },
  {
    id: 'exfiltration',
    weight: 0.5,
    test: inFlat(
      /\b(?:send|post|forward|upload|transmit|leak|exfiltrate|e-?mail)\s+(?:(?:the|all|this|these|your|my|of)\s+)*(?:conversation|chat\s+history|system\s+prompt|api\s+keys?|passwords?|credentials|secrets|user['’]?s?\s+(?:files|data|emails|messages|documents))\b[^.]{0,40}?\bto\s+(?:https?:\/\/|[\w.+-]+@[\w-]+\.)/i,
      // On RE2: with its open-ended runs, a text of many `![` or `?` took a backtracking engine minutes.
      compileSafeRegex('!\\[[^\\]]*\\]\\(https?://[^)\\s]*\\?[^)\\s]*=(?:\\{|\\[|%7B|\\$)', 'i'),
    ),
  },
  {
    id: 'hidden-instructions',
    weight: 0.5,
    test: inFlat(
      /\b(?:decode|decipher|decrypt)\b[^.]{0,80}?\b(?:and|then)\s+(?:follow|execute|obey|do\s+what|run|carry\s+out)\b/i,
      /\b(?:follow|execute|obey|carry\s+out)\s+(?:the\s+|these\s+|any\s+)?(?:hidden|secret|encoded|embedded|invisible)\s+(?:instructions?|commands?)\b/i,
      /\b(?:ai|llm)\s+(?:assistants?|models?|agents?)\s+(?:reading|processing|summari[sz]ing|viewing)\s+this\b/i,
    ),
  },
  {
    id: 'new-instructions',
    weight: 0.45,
    test: inFlat(
      /\b(?:new|updated|revised|real|actual|true|override|admin|secret)\s+(?:system\s+)?(?:instructions?|directives?|system\s+prompt)\s*:/i,
      /\byour\s+(?:new|real|actual|true|only)\s+(?:task|goal|purpose|objective|instructions?|job)\s+(?:is|are|will\s+be)\b/i,
    ),
  },
  {
    id: 'developer-mode',
    weight: 0.4,
    test: inFlat(
      /\bdeveloper\s+mode\s+(?:enabled|activated|output|response)\b/i,
      /\b(?:you\s+are|you're|stay|remain)\s+(?:now\s+)?in\s+developer\s+mode\b/i,
    ),
  },
  {
    id: 'conversation-end',
    weight: 0.35,
    test: (t) =>
      /(?:^|[-=#*[(<])[^\S\n]*end\s+of\s+(?:the\s+)?(?:user\s+)?(?:input|prompt|conversation|context|instructions|message)\b/im.test(
        t.lines,
      ) ||
      /<\/(?:user|user_input|human|instructions|context)>/i.test(t.flat) ||
      /(?:^|\n)[^\S\n]*(?:Human|Assistant)[^\S\n]*:/.test(t.lines),
  },
  {
    id: 'refusal-suppression',
    weight: 0.35,
    test: inFlat(
      /\b(?:do\s+not|don't|never|must\s+not|cannot|can't|won't)\s+(?:ever\s+)?(?:refuse|decline|say\s+(?:that\s+)?you\s+can(?:'t|not))\b/i,
      /\bregardless\s+of\s+(?:your|any|the)\s+(?:rules|guidelines|policies|policy|programming|restrictions|safety|ethics|instructions)\b/i,
      /\b(?:without|no)\s+(?:any\s+)?(?:moral|ethical)\s+(?:concerns|considerations|judgement|judgment|guidelines)\b/i,
    ),
  },
  {
    id: 'role-reassignment',
    weight: 0.3,
    test: inFlat(/\byou\s+are\s+(?:now|no\s+longer)\b/i, /\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|shall)\b/i),
  },
  {
    id: 'invisible-characters',
    weight: 0.3,
    test: (t) => countOf(SUSPICIOUS_INVISIBLE, t.raw) >= 3,
  },
  {
    id: 'encoded-payload',
    weight: 0.15,
    test: (t) => hasEncodedPayload(t.raw),
  },
  {
    id: 'many-overrides',
    weight: 0.15,
    test: (t) =>
      countOf(/\b(?:ignore|disregard|forget|override|bypass|obey|comply|instead|must\s+now)\b/gi, t.flat) >= 4,
  },
  {
    id: 'jailbreak-mention',
    weight: 0.1,
    test: inFlat(/\bjailbr(?:eak|oken|eaking)/i),
  },
]

function prepare(raw: string): Prepared {
  const lines = raw.normalize('NFKC').replace(INVISIBLE, '')
  return { raw, lines, flat: lines.replace(/\s+/g, ' ') }
}

/** Scores how much a text looks like a prompt-injection attempt, and says which signals fired. */
export function injectionScore(text: string): InjectionResult {
  const t = prepare(text)
  const signals: string[] = []
  let clean = 1
  for (const s of INJECTION_SIGNALS) {
    if (!s.test(t)) continue
    signals.push(s.id)
    clean *= 1 - s.weight
  }
  return { score: Math.round((1 - clean) * 100) / 100, signals }
}
