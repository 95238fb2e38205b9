import { CliError } from '../errors.js'

/** Longest command line taken: a bound on the work one line may cause. */
export const MAX_LINE_LENGTH = 64 * 1024

/**
 * Splits a command line into words the way a shell does for the simple cases: words are
 * separated by blanks; `"..."` and `'...'` quote blanks and the other quote character;
 * inside double quotes and outside quotes a backslash takes the next character as it is
 * (`\"`, `\\`, `\ `). `""` is an empty word. An unterminated quote or a trailing backslash
 * throws CliError CLI_USAGE.
 */
export function tokenize(line: string): string[] {
  if (line.length > MAX_LINE_LENGTH) {
    throw new CliError('CLI_USAGE', `the line is longer than ${MAX_LINE_LENGTH} characters`)
  }
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote === "'") {
      if (c === "'") quote = undefined
      else word += c
      continue
    }
    if (c === '\\' && (quote === '"' || quote === undefined)) {
      if (i + 1 >= line.length) throw new CliError('CLI_USAGE', 'the line ends with a lone backslash')
      word += line[++i]!
      inWord = true
      continue
    }
    if (quote === '"') {
      if (c === '"') quote = undefined
      else word += c
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      inWord = true
      continue
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (inWord) words.push(word)
      word = ''
      inWord = false
      continue
    }
    word += c
    inWord = true
  }
  if (quote !== undefined) throw new CliError('CLI_USAGE', `a ${quote} quote is not closed`)
  if (inWord) words.push(word)
  return words
}

/** Quotes a word so that {@link tokenize} gives it back unchanged (for help texts and the demo tour). */
export function quoteWord(word: string): string {
  if (word.length > 0 && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}

/** Words joined into one line that {@link tokenize} splits back into the same words. */
export function joinWords(words: readonly string[]): string {
  return words.map(quoteWord).join(' ')
}
