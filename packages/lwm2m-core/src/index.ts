/**
 * @packageDocumentation
 * The transport-free LwM2M protocol core shared by the Client, Server and Bootstrap
 * Server roles. It opens no socket and keeps no timer.
 */
export * from './attributes/criteria.js'
export * from './attributes/query.js'
export * from './attributes/store.js'
export * from './attributes/types.js'
export * from './attributes/validate.js'
export * from './codec/types.js'
export * from './errors.js'
export * from './model/types.js'
export * from './node/types.js'
export * from './operations/content-format.js'
export * from './operations/context.js'
export * from './operations/execute-arguments.js'
export * from './operations/incoming.js'
export * from './operations/reply.js'
export * from './operations/request.js'
export * from './operations/response.js'
export * from './operations/response-error.js'
export * from './operations/types.js'
export * from './path/path.js'
export * from './registration/binding.js'
export * from './registration/links.js'
export * from './registration/params.js'
export * from './version/version.js'
