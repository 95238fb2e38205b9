import { type C10, c10 } from './c10.js'
import type { ConfigurationContext } from './context.js'

/**
 * The Object 10 version 1.1 values of C.11. The ETS numbers "Power Saving Modes" 13 and
 * "Active Power Saving Modes" 14 (inventory 10.2); the published Object 10 1.1 has Supported
 * Power Saving Modes at 12 (read-only) and Active Power Saving Modes at 13 (14 is RAI usage).
 * We provision the published object: /10/0/12 = 3 (PSM and eDRX supported), /10/0/13 = 1 (PSM
 * active). /10/0/11 = 11:0 is C.10's already.
 */
export const C11_PSM = { 12: 3, 13: 1 } as const

/** C.11, C.10 with the Object 10 version 1.1 resources. */
export type C11 = C10

export function c11(ctx: ConfigurationContext): C11 {
  return { ...c10(ctx, C11_PSM), id: 'C.11' }
}
