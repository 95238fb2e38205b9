/**
 * @packageDocumentation
 * The transport-free LwM2M protocol core shared by the Client, Server and Bootstrap
 * Server roles. It opens no socket and keeps no timer.
 */
export * from './model/types.js'
