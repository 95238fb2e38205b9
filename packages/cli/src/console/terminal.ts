import { clearScreenDown, createInterface, cursorTo, type Interface } from 'node:readline'

/** Lines read ahead of the prompt at most; reading pauses beyond. */
const MAX_QUEUED_LINES = 1024

/** The streams the tool talks through: the process's, or a test's. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream
  /** True when a person types into stdin at a terminal: the prompt is shown and edited. */
  readonly interactive: boolean
}

/** The process's streams; interactive when stdin and stdout are terminals. */
export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
  }
}

/**
 * The prompt's side of the streams: reads command lines, prints output. Lines printed
 * while a person is typing go above the prompt, which is drawn again with what was typed.
 */
export interface Terminal {
  /** True when a prompt is shown (a person at a terminal). */
  readonly interactive: boolean
  /** Prints lines on stdout. */
  print(lines: readonly string[]): void
  /** Prints lines on stderr. */
  printError(lines: readonly string[]): void
  /** The lines read, until stdin ends or the terminal closes. */
  lines(): AsyncIterableIterator<string>
  /** Shows the prompt (when interactive) and waits for the next line. */
  prompt(): void
  /** Called on Ctrl-C at the prompt. */
  onInterrupt(listener: () => void): void
  /** Stops reading. */
  close(): void
}

/** Options of {@link createTerminal}. */
export interface TerminalOptions {
  /** The prompt text; default `lwm2m> `. */
  readonly prompt?: string
  /** JSON mode: no prompt, no line editing, even at a terminal. */
  readonly json?: boolean
  /** False to leave stdin alone (no commands are read); default true. */
  readonly read?: boolean
}

/** A terminal over `io`; with a prompt when interactive and not in JSON mode. */
export function createTerminal(io: CliIo, options: TerminalOptions = {}): Terminal {
  const read = options.read !== false
  const interactive = io.interactive && options.json !== true && read
  if (!read) {
    return {
      interactive: false,
      print: (lines) => {
        if (lines.length > 0) io.stdout.write(`${lines.join('\n')}\n`)
      },
      printError: (lines) => {
        if (lines.length > 0) io.stderr.write(`${lines.join('\n')}\n`)
      },
      async *lines() {},
      prompt: () => {},
      onInterrupt: () => {},
      close: () => {},
    }
  }
  const rl: Interface = createInterface({
    input: io.stdin,
    ...(interactive ? { output: io.stdout } : {}),
    terminal: interactive,
    prompt: options.prompt ?? 'lwm2m> ',
    crlfDelay: Number.POSITIVE_INFINITY,
    historySize: interactive ? 200 : 0,
  })
  let promptShown = false
  let closed = false
  // Lines are queued from the start, so that none typed or piped before the prompt runs is lost;
  // reading pauses while many wait.
  const queue: string[] = []
  let waiter: ((r: IteratorResult<string>) => void) | undefined
  let paused = false
  rl.on('line', (line) => {
    promptShown = false
    if (waiter !== undefined) {
      const w = waiter
      waiter = undefined
      w({ value: line, done: false })
      return
    }
    queue.push(line)
    if (queue.length >= MAX_QUEUED_LINES && !paused) {
      paused = true
      rl.pause()
    }
  })
  rl.on('close', () => {
    // Leaving the prompt (Ctrl-C, Ctrl-D, quit): what prints next starts on a line of its own.
    if (interactive && promptShown) io.stdout.write('\n')
    closed = true
    promptShown = false
    const w = waiter
    waiter = undefined
    w?.({ value: undefined, done: true })
  })
  const next = (): Promise<IteratorResult<string>> => {
    const line = queue.shift()
    if (line !== undefined) {
      if (paused && queue.length < MAX_QUEUED_LINES / 2) {
        paused = false
        rl.resume()
      }
      return Promise.resolve({ value: line, done: false })
    }
    if (closed) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve) => {
      waiter = resolve
    })
  }
  const iterator: AsyncIterableIterator<string> = {
    next,
    return: async () => ({ value: undefined, done: true }),
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  const write = (stream: NodeJS.WritableStream, lines: readonly string[]): void => {
    if (lines.length === 0) return
    const text = `${lines.join('\n')}\n`
    if (interactive && promptShown && !closed) {
      // Above the prompt: clear its line, print, draw it again with what was typed so far.
      cursorTo(io.stdout, 0)
      clearScreenDown(io.stdout)
      stream.write(text)
      rl.prompt(true)
      return
    }
    stream.write(text)
  }
  return {
    interactive,
    print: (lines) => write(io.stdout, lines),
    printError: (lines) => write(io.stderr, lines),
    lines: () => iterator,
    prompt() {
      if (!interactive || closed) return
      promptShown = true
      rl.prompt()
    },
    onInterrupt(listener) {
      rl.on('SIGINT', listener)
    },
    close() {
      if (closed) return
      closed = true
      rl.close()
    },
  }
}
