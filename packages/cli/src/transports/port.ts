import { CliError } from '../errors.js'

/** A port number typed on the command line (0-65535; 0 lets the system pick). */
export function parsePort(text: string, name: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) {
    throw new CliError(
      'CLI_INVALID_OPTION',
      `${name} takes a port number 0-65535, not "${text.slice(0, 40)}"`,
    )
  }
  return Number(text)
}
