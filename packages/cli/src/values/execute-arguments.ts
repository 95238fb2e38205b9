import { type ExecuteArgument, formatExecuteArguments, Lwm2mError } from '@lwm2m/core'
import { CliError } from '../errors.js'

/**
 * Execute arguments typed at the prompt (Core TS 1.2 section 6.3.5): words such as `0`,
 * `1=fast`, `2='x'`, or the payload syntax itself (`0='x',1`; values are printable
 * characters without blanks or quotes). Gives the arguments, checked against the grammar;
 * CliError CLI_INVALID_VALUE otherwise.
 */
export function parseExecuteWords(words: readonly string[]): ExecuteArgument[] {
  const args: ExecuteArgument[] = []
  for (const word of words) {
    let i = 0
    while (i < word.length) {
      const digit = word[i]!
      if (!/[0-9]/.test(digit)) {
        throw new CliError(
          'CLI_INVALID_VALUE',
          `execute arguments are a digit 0-9 with an optional value, such as 0 or 1=fast, not "${word.slice(0, 40)}"`,
        )
      }
      i++
      let value: string | undefined
      if (word[i] === '=') {
        i++
        if (word[i] === "'") {
          const end = word.indexOf("'", i + 1)
          if (end < 0)
            throw new CliError(
              'CLI_INVALID_VALUE',
              `an argument value in "${word.slice(0, 40)}" has no closing '`,
            )
          value = word.slice(i + 1, end)
          i = end + 1
        } else {
          const end = word.indexOf(',', i)
          value = word.slice(i, end < 0 ? word.length : end)
          i = end < 0 ? word.length : end
        }
      }
      args.push(value === undefined ? { digit: Number(digit) } : { digit: Number(digit), value })
      if (i < word.length) {
        if (word[i] !== ',') {
          throw new CliError(
            'CLI_INVALID_VALUE',
            `expected "," after argument ${digit} in "${word.slice(0, 40)}"`,
          )
        }
        i++
      }
    }
  }
  try {
    formatExecuteArguments(args)
  } catch (err) {
    if (!Lwm2mError.isInstance(err)) throw err
    throw new CliError(
      'CLI_INVALID_VALUE',
      `${err.message} (values are printable characters without blanks or quotes)`,
      {
        cause: err,
      },
    )
  }
  return args
}
