/**
 * Appendix C.8 (Firmware update): PSK-ACC + SRV+ + DEV + EXE and the Firmware Update
 * object `/5/0/{0,1,3,5,6,7,8,9}` with the executables `/5/0/2` (Update) and `/1/0/4`
 * (Disable). Used by 751-779.
 *
 * The device behind it is modelled through the object's injected callbacks: `verify` checks
 * a downloaded image (format, SHA-256, type and hardware family, RAM needed) the way a
 * bootloader's pre-check would, taking `checkTime` ms of the clock; `apply` installs it in
 * `installTime` ms (unless the bootloader is too old for it) and then reports the new
 * firmware version in `/3/0/3`. Flash (the largest package) and RAM are the device's sizes.
 */
import { type CoapEndpoint, createEndpoint } from '@lwm2m/coap'
import {
  createFirmwareUpdateObject,
  type DeviceObject,
  FirmwareResult,
  FirmwareUpdateFailure,
  type FirmwareUpdateObject,
  type SecurityObject,
  type ServerObject,
} from '@lwm2m/objects'
import {
  buildImage,
  corrupt,
  FirmwareImageError,
  IMAGE_TYPE_APPLICATION,
  parseImage,
} from '../firmware/image.js'
import type { BenchConfiguration, BenchContext } from '../harness-b.js'
import { DEV, deviceObject, SRV_PLUS, securityObject, serverObject } from './shorthands.js'

/** The device of C.8: what its images must fit. */
export const C8_DEVICE = {
  /** Hardware family the images must be built for. */
  hardware: 0x0c08,
  /** Flash for a package, bytes: larger ones end with Result 2. */
  flash: 64 * 1024,
  /** RAM for unpacking and installing, bytes: images needing more end with Result 3. */
  ram: 32 * 1024,
  /** Bootloader version: images needing a newer one fail to install (Result 8). */
  bootloader: 2,
  /** Time the integrity check of a whole package takes, ms (State stays Downloading). */
  checkTime: 2_000,
  /** Time an installation takes, ms (State Updating). */
  installTime: 5_000,
} as const

/** The images the Firmware Update cases deliver to this device (ETS "Test infrastructure"). */
export function c8Images() {
  const base = { name: 'ets-device-app', hardware: C8_DEVICE.hardware, size: 6_000 }
  return {
    /** A valid image of firmware version 2.0. */
    valid: buildImage({ ...base, version: '2.0' }),
    /** Larger than the flash (773). */
    oversized: buildImage({ ...base, version: '2.1', size: C8_DEVICE.flash + 1024 }),
    /** Needs more RAM than the device has (774). */
    ramExhausting: buildImage({ ...base, version: '2.2', ramNeeded: 4 * C8_DEVICE.ram }),
    /** One payload byte flipped after signing (776). */
    corrupt: corrupt(buildImage({ ...base, version: '2.3' })),
    /** Built for another hardware family (777). */
    wrongType: buildImage({ ...base, version: '2.4', hardware: 0x7777 }),
    /** Needs a newer bootloader: it downloads and checks fine, then cannot be installed (779). */
    failingInstall: buildImage({ ...base, version: '2.5', bootloader: C8_DEVICE.bootloader + 1 }),
  }
}

export interface C8 extends BenchConfiguration {
  readonly security: SecurityObject
  readonly server: ServerObject
  readonly device: DeviceObject
  readonly firmware: FirmwareUpdateObject
  /** Firmware versions the device has run, the initial one first. */
  readonly installed: string[]
  /**
   * The device's download endpoint (pull, Package URI), on an interface of its own. It takes
   * bodies up to the flash size: a larger package stops downloading at the block that
   * overflows (Result 2).
   */
  readonly download: CoapEndpoint
}

export async function c8(ctx: BenchContext): Promise<C8> {
  const clock = ctx.clock
  const download = await createEndpoint({
    transport: ctx.transport(),
    clock,
    limits: { maxBodySize: C8_DEVICE.flash },
    random: ctx.random(),
  })
  const security = securityObject(ctx)
  const server = serverObject(SRV_PLUS)
  const device = deviceObject(ctx)
  const installed: string[] = [DEV.firmwareVersion]
  const wait = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(resolve, ms)
      signal?.addEventListener('abort', () => {
        clock.clearTimeout(timer)
        reject(signal.reason)
      })
    })
  const firmware = createFirmwareUpdateObject({
    clock,
    maxPackageSize: C8_DEVICE.flash,
    endpoints: [download],
    verify: async (pkg) => {
      await wait(C8_DEVICE.checkTime)
      let image: ReturnType<typeof parseImage>
      try {
        image = parseImage(pkg.bytes)
      } catch (error) {
        if (error instanceof FirmwareImageError && error.problem === 'corrupt')
          throw new FirmwareUpdateFailure(FirmwareResult.IntegrityCheckFailure, error.message)
        throw new FirmwareUpdateFailure(FirmwareResult.UnsupportedPackageType, String(error))
      }
      if (image.type !== IMAGE_TYPE_APPLICATION || image.hardware !== C8_DEVICE.hardware) {
        throw new FirmwareUpdateFailure(
          FirmwareResult.UnsupportedPackageType,
          `image for hardware ${image.hardware.toString(16)}, type ${image.type}`,
        )
      }
      if (image.ramNeeded > C8_DEVICE.ram) {
        throw new FirmwareUpdateFailure(
          FirmwareResult.OutOfRam,
          `image needs ${image.ramNeeded} bytes of RAM`,
        )
      }
      return { name: image.name, version: image.version }
    },
    apply: async (pkg, { signal }) => {
      const image = parseImage(pkg.bytes)
      await wait(C8_DEVICE.installTime, signal)
      if (image.bootloader > C8_DEVICE.bootloader) {
        throw new FirmwareUpdateFailure(
          FirmwareResult.UpdateFailed,
          `bootloader ${C8_DEVICE.bootloader} cannot install an image for bootloader ${image.bootloader}`,
        )
      }
      installed.push(image.version)
      device.update({ firmwareVersion: image.version })
    },
  })
  return {
    id: 'C.8',
    objects: [security, server, device, firmware],
    security,
    server,
    device,
    firmware,
    installed,
    download,
    close: async () => {
      await download.close()
    },
  }
}
