/**
 * @packageDocumentation
 * The IPSO Timer object (3340) for an LwM2M client: an example of an object package
 * built on the public surface of @lwm2m/objects.
 */
export * from './timer.js'
