import { describe, expect, it } from 'vitest'
import { CliError } from '../errors.js'
import { parseExecuteWords } from './execute-arguments.js'

describe('parseExecuteWords (Core TS 1.2 section 6.3.5 arguments)', () => {
  it('reads digits with optional values, quoted or not, and the payload syntax', () => {
    expect(parseExecuteWords([])).toEqual([])
    expect(parseExecuteWords(['0', '1=fast'])).toEqual([{ digit: 0 }, { digit: 1, value: 'fast' }])
    expect(parseExecuteWords(["0='x',1"])).toEqual([{ digit: 0, value: 'x' }, { digit: 1 }])
    expect(parseExecuteWords(['2=a,3'])).toEqual([{ digit: 2, value: 'a' }, { digit: 3 }])
  })

  it('refuses what the grammar does not allow', () => {
    for (const words of [['x'], ['10'], ['0', '0'], ["0='open"], ['0=a b'], ["0='a'b"]]) {
      expect(() => parseExecuteWords(words), words.join(' ')).toThrow(CliError)
    }
  })
})
