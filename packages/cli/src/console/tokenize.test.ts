import { describe, expect, it } from 'vitest'
import { CliError } from '../errors.js'
import { joinWords, MAX_LINE_LENGTH, quoteWord, tokenize } from './tokenize.js'

describe('tokenize', () => {
  it('splits on blanks and tabs, ignoring repeated and surrounding ones', () => {
    expect(tokenize('  read   ep1\t/3/0  ')).toEqual(['read', 'ep1', '/3/0'])
    expect(tokenize('')).toEqual([])
    expect(tokenize('   ')).toEqual([])
  })

  it('keeps blanks inside double and single quotes', () => {
    expect(tokenize('write ep1 /3/0/15 "Europe/Berlin time"')).toEqual([
      'write',
      'ep1',
      '/3/0/15',
      'Europe/Berlin time',
    ])
    expect(tokenize("write ep1 /3/0/15 'a b'")).toEqual(['write', 'ep1', '/3/0/15', 'a b'])
  })

  it('joins quoted and unquoted parts of one word', () => {
    expect(tokenize('5750="living room"x')).toEqual(['5750=living roomx'])
    expect(tokenize(`"0='x',1"`)).toEqual(["0='x',1"])
    expect(tokenize(`'say "hi"'`)).toEqual(['say "hi"'])
  })

  it('gives an empty word for empty quotes', () => {
    expect(tokenize('write ep1 /3/0/15 ""')).toEqual(['write', 'ep1', '/3/0/15', ''])
    expect(tokenize("''")).toEqual([''])
  })

  it('takes the character after a backslash as it is, outside and inside double quotes', () => {
    expect(tokenize('a\\ b')).toEqual(['a b'])
    expect(tokenize('"a \\" b"')).toEqual(['a " b'])
    expect(tokenize("'a\\b'")).toEqual(['a\\b'])
  })

  it('refuses unterminated quotes, a trailing backslash and over-long lines', () => {
    for (const line of ['"open', "'open", 'end\\']) {
      expect(() => tokenize(line)).toThrow(CliError)
    }
    expect(() => tokenize('x'.repeat(MAX_LINE_LENGTH + 1))).toThrow(/longer than/)
  })
})

describe('quoteWord and joinWords', () => {
  it('leave plain words alone and quote the rest', () => {
    expect(quoteWord('/3/0/14')).toBe('/3/0/14')
    expect(quoteWord('+02:00')).toBe('+02:00')
    expect(quoteWord('a b')).toBe("'a b'")
    expect(quoteWord('')).toBe("''")
    expect(quoteWord("it's")).toBe(`'it'\\''s'`)
  })

  it('give back the same words through tokenize', () => {
    const words = ['write', 'ep 1', "it's", '"q"', '', 'back\\slash']
    expect(tokenize(joinWords(words))).toEqual(words)
  })
})
