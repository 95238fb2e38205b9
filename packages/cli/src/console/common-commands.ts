import type { CommandSpec, CommandTable } from './command.js'

/** `help [command]`: the command list, or one command's usage, rules and options. */
export function helpCommand<C>(table: () => CommandTable<C>): CommandSpec<C> {
  return {
    name: 'help',
    aliases: ['?'],
    args: '[command]',
    summary: 'list the commands, or tell how one is used',
    minArgs: 0,
    maxArgs: 1,
    async run(_ctx, call) {
      const name = call.args[0]
      const lines = table().help(name)
      const value =
        name === undefined
          ? { commands: table().specs.map((s) => ({ name: s.name, summary: s.summary })) }
          : { command: table().get(name)?.name ?? name, text: lines }
      return { value, text: lines }
    },
  }
}

/** `quit`: ends the prompt after `stop` (stopping the server, de-registering the client). */
export function quitCommand<C>(summary: string, stop: (ctx: C) => Promise<void>): CommandSpec<C> {
  return {
    name: 'quit',
    aliases: ['exit'],
    args: '',
    summary,
    minArgs: 0,
    maxArgs: 0,
    async run(ctx) {
      await stop(ctx)
      return { value: null, text: [], quit: true }
    },
  }
}
