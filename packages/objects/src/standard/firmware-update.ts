import { type Clock, type CoapEndpoint, CoapError, type Logger, silentLogger, systemClock } from '@lwm2m/coap'
import type { ObjectModel } from '@lwm2m/core'
import { ObjectsError } from '../errors.js'
import { firmwareUpdateModel } from '../generated/object-5.js'
import { type DefinedObject, defineObject, type ResourceContent } from '../object/define-object.js'
import { type Awaitable, fail } from '../object/result.js'
import { resourceRange } from '../object/value.js'
import { createEmitter, type Emitter } from './events.js'

/** Firmware Update State (/5/0/3, Core TS 1.1 E.6). */
export const FirmwareState = { Idle: 0, Downloading: 1, Downloaded: 2, Updating: 3 } as const

/** Firmware Update Result (/5/0/5, Core TS 1.1 E.6; 10 and 11 from object version 1.1). */
export const FirmwareResult = {
  Initial: 0,
  Success: 1,
  NotEnoughFlash: 2,
  OutOfRam: 3,
  ConnectionLost: 4,
  IntegrityCheckFailure: 5,
  UnsupportedPackageType: 6,
  InvalidUri: 7,
  UpdateFailed: 8,
  UnsupportedProtocol: 9,
  Cancelled: 10,
  Deferred: 11,
} as const

/** Firmware Update Protocol Support values (/5/0/8). */
export const FirmwareProtocol = { CoAP: 0, CoAPS: 1, HTTP: 2, HTTPS: 3, CoAPTCP: 4, CoAPTLS: 5 } as const

const brand = Symbol.for('@lwm2m/objects/firmware-update-failure')

/**
 * Thrown (or rejected with) by a firmware `verify` or `apply` callback to end the step
 * with an Update Result: `throw new FirmwareUpdateFailure(FirmwareResult.IntegrityCheckFailure)`.
 * `state` says where the state machine goes: Idle (the default for a failed download
 * or check, and for an integrity failure during update) or Downloaded (the default for
 * a failed update, so that the server may retry it).
 */
export class FirmwareUpdateFailure extends ObjectsError {
  static override readonly name: string = 'FirmwareUpdateFailure'
  readonly [brand] = true
  readonly result: number
  readonly state: 'idle' | 'downloaded' | undefined

  constructor(
    result: number,
    message = `firmware update failed with result ${result}`,
    state?: 'idle' | 'downloaded',
  ) {
    super('OBJECTS_FIRMWARE_FAILED', message)
    this.result = result
    this.state = state
  }

  static override isInstance(value: unknown): value is FirmwareUpdateFailure {
    return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  }
}

/** A firmware package the object received (push) or downloaded (pull). */
export interface FirmwarePackage {
  readonly bytes: Uint8Array
  /** The Package URI it came from (pull). */
  readonly uri?: string
}

/** What `verify` may tell about a package: its name and version (/5/0/6, /5/0/7). */
export interface FirmwarePackageInfo {
  readonly name?: string
  readonly version?: string
}

export interface FirmwareUpdateObjectOptions {
  /**
   * Installs a package (Execute on Update, /5/0/2, after the response). Resolve when
   * the new firmware runs (or will after a reboot the application does itself): the
   * state goes Idle with result 1. Resolve `{ deferred: true }` when the user deferred
   * it (result 11, state stays Downloaded; call `update()` later). Throw a
   * FirmwareUpdateFailure for a given result; any other error is result 8.
   */
  readonly apply: (
    pkg: FirmwarePackage,
    context: { readonly signal: AbortSignal },
    // biome-ignore lint/suspicious/noConfusingVoidType: an apply that returns nothing is the common case
  ) => Awaitable<void | { readonly deferred: true }>
  /**
   * Checks a package once it is whole, before state Downloaded: throw a
   * FirmwareUpdateFailure (result 5, 6, 2...) to refuse it. May give its name and version.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a verify that returns nothing is the common case
  readonly verify?: (pkg: FirmwarePackage) => Awaitable<void | FirmwarePackageInfo>
  /**
   * CoAP endpoints for pulling packages from a Package URI (/5/0/1), one per scheme:
   * a `coap://` URI uses the endpoint whose scheme is "coap", `coaps://` the "coaps" one.
   * Block-wise transfer is the endpoint's. Without any, pull is not offered.
   */
  readonly endpoints?: readonly CoapEndpoint[]
  /** Accept packages written to Package (/5/0/0): default true. */
  readonly push?: boolean
  /** Largest package accepted, in bytes (default 16 MiB): larger ones end with result 2. */
  readonly maxPackageSize?: number
  /** Deadline of a download, in milliseconds (default: the endpoint's). */
  readonly downloadTimeout?: number
  /** Automatic Upgrade at Download (/5/0/14) at start: default false. */
  readonly automaticUpdate?: boolean
  readonly clock?: Clock
  /** Default Firmware Update 1.2; `firmwareUpdateModelV1_0` for LwM2M 1.0 (no Cancel, results 0-9). */
  readonly model?: ObjectModel
  readonly logger?: Logger
}

export interface FirmwareUpdateObjectEvents extends Record<string, unknown> {
  /** The state changed (after /5/0/3 and /5/0/5 were set). */
  state: { readonly state: number; readonly result: number }
}

export interface FirmwareUpdateObject extends DefinedObject, Emitter<FirmwareUpdateObjectEvents> {
  state(): number
  result(): number
  /** Starts the update of a Downloaded package (a deferred update the user accepted); false in another state. */
  update(): boolean
  /** Resolves when no download, check or update is running (for tests and orderly shutdown). */
  idle(): Promise<void>
}

/**
 * The LwM2M Firmware Update object (5) with the state machine of Core TS 1.1 E.6:
 * Idle (0) to Downloading (1) when a package is written to Package (/5/0/0, push: the
 * client role hands the whole block-wise body) or a Package URI (/5/0/1, pull over
 * the given CoAP endpoints); Downloaded (2) once whole and verified; Updating (3) on
 * Execute of Update (/5/0/2), which only Downloaded allows (4.05 otherwise); then Idle
 * with result 1, or a failure result. Writing an empty Package or Package URI resets
 * to Idle with result 0; Cancel (/5/0/10) stops a download or a pending update with
 * result 10. The package is handed to the injected `verify` and `apply` callbacks.
 */
export function createFirmwareUpdateObject(options: FirmwareUpdateObjectOptions): FirmwareUpdateObject {
  const model = options.model ?? firmwareUpdateModel
  if (model.id !== 5)
    throw new ObjectsError(
      'OBJECTS_INVALID_ARGUMENT',
      `the Firmware Update object takes an object 5 model, not ${model.id}`,
    )
  if (typeof options.apply !== 'function')
    throw new ObjectsError('OBJECTS_INVALID_ARGUMENT', 'the Firmware Update object needs an apply callback')
  const has = (id: number) => model.resources.has(id)
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? silentLogger
  const events = createEmitter<FirmwareUpdateObjectEvents>(logger, 'Firmware Update object')
  const push = options.push ?? true
  const endpoints = new Map((options.endpoints ?? []).map((e) => [e.scheme, e]))
  const maxPackageSize = options.maxPackageSize ?? 16 * 1024 * 1024
  const maxResult =
    resourceRange(model.resources.get(5) ?? { type: 'integer', rangeEnumeration: '' })?.max ?? 9

  let pkg: FirmwarePackage | undefined
  let work: AbortController | undefined
  let running: Promise<void> = Promise.resolve()

  const initial: Record<number, ResourceContent> = { 1: '', 3: FirmwareState.Idle, 5: FirmwareResult.Initial }
  const protocols = [...endpoints.keys()]
    .map((s) => (s === 'coaps' ? FirmwareProtocol.CoAPS : FirmwareProtocol.CoAP))
    .sort()
  if (has(8) && protocols.length > 0) initial[8] = protocols
  if (has(9)) initial[9] = push && endpoints.size > 0 ? 2 : push ? 1 : 0
  if (has(11)) initial[11] = 1
  if (has(12)) initial[12] = new Date(clock.now())
  if (has(13)) initial[13] = 0
  if (has(14)) initial[14] = options.automaticUpdate ?? false

  const state = () => Number(base.get(0, 3))
  const result = () => Number(base.get(0, 5))
  const setResult = (value: number) => base.set(0, 5, Math.min(value, maxResult))
  const setState = (next: number, res?: number) => {
    // Last State Change Time is updated before the State itself (its description).
    if (has(12)) base.set(0, 12, new Date(clock.now()))
    if (res !== undefined) setResult(res)
    base.set(0, 3, next)
    void events.emit('state', { state: next, result: result() })
  }
  const abortWork = () => {
    work?.abort(new ObjectsError('OBJECTS_OPERATION_FAILED', 'firmware update reset'))
    work = undefined
  }
  const clearPackage = () => {
    pkg = undefined
    if (has(6)) base.unset(0, 6)
    if (has(7)) base.unset(0, 7)
  }
  const reset = (res: number = FirmwareResult.Initial) => {
    abortWork()
    clearPackage()
    base.set(0, 1, '')
    setState(FirmwareState.Idle, res)
  }
  const track = (task: Promise<void>) => {
    running = running.then(() => task).catch(() => {})
  }

  /** Verifies a whole package and moves to Downloaded (or Idle with the failure's result). */
  const downloaded = async (candidate: FirmwarePackage, signal: AbortSignal) => {
    if (candidate.bytes.length > maxPackageSize) {
      setState(FirmwareState.Idle, FirmwareResult.NotEnoughFlash)
      return
    }
    try {
      const info = await options.verify?.(candidate)
      if (signal.aborted) return
      pkg = candidate
      if (info?.name !== undefined && has(6)) base.set(0, 6, info.name)
      if (info?.version !== undefined && has(7)) base.set(0, 7, info.version)
      setState(FirmwareState.Downloaded, FirmwareResult.Initial)
      if (has(14) && base.get(0, 14) === true) startUpdate()
    } catch (error) {
      if (signal.aborted) return
      const failure = FirmwareUpdateFailure.isInstance(error) ? error : undefined
      if (failure === undefined)
        logger.error('firmware package check failed', {
          error: error instanceof Error ? error.message : String(error),
        })
      clearPackage()
      setState(FirmwareState.Idle, failure?.result ?? FirmwareResult.IntegrityCheckFailure)
    }
  }

  const download = async (uri: string, endpoint: CoapEndpoint, signal: AbortSignal) => {
    let bytes: Uint8Array
    try {
      const response = await endpoint.request(uri, {
        method: 'GET',
        signal,
        ...(options.downloadTimeout !== undefined ? { timeout: options.downloadTimeout } : {}),
      })
      if (signal.aborted) return
      if (response.code !== 0x45) {
        // 4.xx: the URI names nothing the server has; 5.xx: the server failed us.
        setState(
          FirmwareState.Idle,
          response.code >>> 5 === 4 ? FirmwareResult.InvalidUri : FirmwareResult.ConnectionLost,
        )
        return
      }
      bytes = response.payload
    } catch (error) {
      if (signal.aborted) return
      const limit = CoapError.isInstance(error) && error.code === 'COAP_LIMIT'
      logger.warn('firmware download failed', {
        error: error instanceof Error ? error.message : String(error),
      })
      setState(FirmwareState.Idle, limit ? FirmwareResult.NotEnoughFlash : FirmwareResult.ConnectionLost)
      return
    }
    await downloaded({ bytes: bytes.slice(), uri }, signal)
  }

  function startUpdate(): boolean {
    if (state() !== FirmwareState.Downloaded || pkg === undefined) return false
    const target = pkg
    const controller = new AbortController()
    work = controller
    setState(FirmwareState.Updating, FirmwareResult.Initial)
    track(
      (async () => {
        try {
          const outcome = await options.apply(target, { signal: controller.signal })
          if (controller.signal.aborted) return
          if (outcome !== undefined && outcome.deferred === true) {
            setState(
              FirmwareState.Downloaded,
              maxResult >= FirmwareResult.Deferred ? FirmwareResult.Deferred : FirmwareResult.Initial,
            )
            return
          }
          clearPackage()
          base.set(0, 1, '')
          setState(FirmwareState.Idle, FirmwareResult.Success)
        } catch (error) {
          if (controller.signal.aborted) return
          const failure = FirmwareUpdateFailure.isInstance(error) ? error : undefined
          if (failure === undefined)
            logger.error('firmware update failed', {
              error: error instanceof Error ? error.message : String(error),
            })
          const res = failure?.result ?? FirmwareResult.UpdateFailed
          const toIdle =
            failure?.state === 'idle' ||
            (failure?.state === undefined && res === FirmwareResult.IntegrityCheckFailure)
          if (toIdle) clearPackage()
          setState(toIdle ? FirmwareState.Idle : FirmwareState.Downloaded, res)
        } finally {
          if (work === controller) work = undefined
        }
      })(),
    )
    return true
  }

  const isEmptyPackage = (bytes: Uint8Array) => bytes.length === 0 || (bytes.length === 1 && bytes[0] === 0)

  const base = defineObject(model, {
    instances: { 0: initial },
    write: {
      0: (value) => {
        const bytes = value as Uint8Array
        if (isEmptyPackage(bytes)) {
          if (state() === FirmwareState.Updating)
            return fail('METHOD_NOT_ALLOWED', 'the firmware is being updated')
          reset()
          return
        }
        if (!push) return fail('METHOD_NOT_ALLOWED', 'this client takes firmware by Package URI only')
        if (state() !== FirmwareState.Idle)
          return fail('METHOD_NOT_ALLOWED', 'write an empty package to reset the update first')
        if (bytes.length > maxPackageSize) {
          setResult(FirmwareResult.NotEnoughFlash)
          return fail('REQUEST_ENTITY_TOO_LARGE', `the package is larger than ${maxPackageSize} bytes`)
        }
        const controller = new AbortController()
        work = controller
        setState(FirmwareState.Downloading, FirmwareResult.Initial)
        track(downloaded({ bytes: bytes.slice() }, controller.signal))
      },
      1: (value) => {
        const uri = String(value)
        if (uri === '') {
          if (state() === FirmwareState.Updating)
            return fail('METHOD_NOT_ALLOWED', 'the firmware is being updated')
          reset()
          return
        }
        if (state() !== FirmwareState.Idle)
          return fail('METHOD_NOT_ALLOWED', 'write an empty Package URI to reset the update first')
        let url: URL
        try {
          url = new URL(uri)
        } catch {
          setResult(FirmwareResult.InvalidUri)
          return
        }
        const endpoint = endpoints.get(url.protocol.slice(0, -1) as 'coap' | 'coaps')
        if (endpoint === undefined) {
          setResult(FirmwareResult.UnsupportedProtocol)
          return
        }
        const controller = new AbortController()
        work = controller
        setState(FirmwareState.Downloading, FirmwareResult.Initial)
        track(download(uri, endpoint, controller.signal))
      },
    },
    execute: {
      2: () => {
        if (state() !== FirmwareState.Downloaded || pkg === undefined) {
          return fail('METHOD_NOT_ALLOWED', 'Update is only executable in state Downloaded')
        }
        return { afterResponse: () => void startUpdate() }
      },
      ...(has(10)
        ? {
            10: () => {
              const s = state()
              if (s !== FirmwareState.Downloading && s !== FirmwareState.Downloaded) {
                return fail('METHOD_NOT_ALLOWED', 'nothing to cancel: no download and no pending update')
              }
              reset(FirmwareResult.Cancelled)
              return undefined
            },
          }
        : {}),
    },
    close: () => abortWork(),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  })

  const object = base as FirmwareUpdateObject
  object.on = events.on
  object.state = state
  object.result = result
  object.update = startUpdate
  object.idle = async () => {
    for (;;) {
      const current = running
      await current
      if (current === running) return
    }
  }
  return object
}
