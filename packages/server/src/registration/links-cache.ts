import {
  type AnnouncedObject,
  type BindingMode,
  parseRegistrationLinks,
  type RegistrationLinks,
} from '@lwm2m/core'

/** A bounded table of shared values: the oldest entry goes when it is full. */
class InternTable<T> {
  readonly #max: number
  readonly #entries = new Map<string, T>()

  constructor(max: number) {
    this.#max = max
  }

  get(key: string, make: () => T): T {
    const hit = this.#entries.get(key)
    if (hit !== undefined) return hit
    const value = make()
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!)
    this.#entries.set(key, value)
    return value
  }

  get size(): number {
    return this.#entries.size
  }
}

/**
 * The shared pieces of registrations, so that each registration holds little of its own
 * (DESIGN.md: compact records). Clients of one kind announce the same objects: a Register or
 * Update payload already seen gives the same parsed link set; and where payloads differ, each
 * announced object (`</3/0>`, `</1>;ver=1.1`), content-format list and binding is shared with
 * the registrations that announced the same. Every table is bounded; parse errors are not kept.
 * The shared values are frozen.
 */
export class LinksCache {
  readonly #payloads: InternTable<RegistrationLinks>
  readonly #objects: InternTable<AnnouncedObject>
  readonly #formats = new InternTable<readonly number[]>(256)
  readonly #bindings = new InternTable<BindingMode>(64)

  constructor(options: { readonly payloads?: number; readonly objects?: number } = {}) {
    this.#payloads = new InternTable(options.payloads ?? 1024)
    this.#objects = new InternTable(options.objects ?? 8192)
  }

  /** The parsed links of `text` (Core TS 1.2 section 6.2.1); throws what `parseRegistrationLinks` throws. */
  parse(text: string): RegistrationLinks {
    // Long payloads are rarely shared: keep only those worth the key's memory.
    if (text.length > 4096) return this.#compact(parseRegistrationLinks(text))
    return this.#payloads.get(text, () => this.#compact(parseRegistrationLinks(text)))
  }

  /** One shared, frozen BindingMode per distinct value (there are few). */
  binding(mode: BindingMode): BindingMode {
    const key = `${mode.transports.join('')}${mode.queueMode ? '+Q' : ''}`
    return this.#bindings.get(key, () =>
      Object.freeze({ transports: Object.freeze([...mode.transports]), queueMode: mode.queueMode }),
    )
  }

  #compact(links: RegistrationLinks): RegistrationLinks {
    const objects = new Map<number, AnnouncedObject>()
    for (const [id, o] of links.objects) {
      const key = `${id}@${o.version ?? ''}:${o.instances.join(',')}`
      objects.set(
        id,
        this.#objects.get(key, () =>
          Object.freeze(
            o.version === undefined
              ? { objectId: id, instances: Object.freeze([...o.instances]) }
              : { objectId: id, version: o.version, instances: Object.freeze([...o.instances]) },
          ),
        ),
      )
    }
    const formats = links.supportedFormats
    return Object.freeze({
      rootPath: links.rootPath,
      supportedFormats: this.#formats.get(formats.join(' '), () => Object.freeze([...formats])),
      objects,
    })
  }
}
