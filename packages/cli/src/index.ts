/**
 * @packageDocumentation
 * The `lwm2m` command-line tool: `lwm2m server` (an LwM2M server with a prompt for every
 * device-management and information-reporting operation), `lwm2m client` (a simulated
 * device with Device, Connectivity Monitoring, Firmware Update, Location and Temperature
 * objects), `lwm2m demo` (both in one process, with a tour), and `--json` for scripts.
 * The program is also usable from code (`main`), with other transports plugged in
 * (`ProgramOptions`), and its parts (the prompt's parser, value reading and printing) are
 * exported for tools built on it.
 */
export * from './client/commands.js'
export * from './client/device.js'
export * from './client/simulated-client.js'
export * from './common-options.js'
export * from './console/command.js'
export * from './console/runner.js'
export * from './console/terminal.js'
export * from './console/tokenize.js'
export * from './errors.js'
export * from './output/errors.js'
export * from './output/json.js'
export * from './output/output.js'
export * from './program.js'
export * from './render/rows.js'
export * from './render/value.js'
export * from './server/commands.js'
export * from './server/context.js'
export * from './server/session.js'
export * from './transports/client-transports.js'
export * from './transports/coaps-client.js'
export { coapsServerTransport, readSecurityFile, securityEntries } from './transports/coaps-server.js'
export * from './transports/server-transports.js'
export * from './values/assignments.js'
export * from './values/duration.js'
export * from './values/formats.js'
export * from './values/parse-value.js'
