import type { Lwm2mClient } from '@lwm2m/client'
import { formatCode } from '@lwm2m/coap'
import { describeError } from '../output/errors.js'
import type { Output } from '../output/output.js'
import { updateParamsJson } from '../render/registration.js'
import { formatDuration } from '../values/duration.js'

function errorText(error: unknown): string {
  return describeError(error).message
}

/**
 * Prints the client's events as they come: registration (registered, updated,
 * deregistered, failures), queue mode, the server's operations with their answer codes,
 * observations, notifications and Sends. Returns the function that stops printing them.
 */
export function printClientEvents(client: Lwm2mClient, output: Output, debug: boolean): () => void {
  const ep = client.endpoint
  const offs = [
    client.on('registered', (e) =>
      output.event(
        {
          type: 'registered',
          endpoint: ep,
          server: e.serverUri,
          shortServerId: e.shortServerId,
          location: `/${e.location.join('/')}`,
          lifetime: e.lifetime,
          queueMode: e.queueMode,
        },
        `registered with ${e.serverUri} as ${ep} (/${e.location.join('/')}, lifetime ${e.lifetime} s${e.queueMode ? ', queue mode' : ''})`,
      ),
    ),
    client.on('updated', (e) =>
      output.event(
        {
          type: 'updated',
          endpoint: ep,
          shortServerId: e.shortServerId,
          location: `/${e.location.join('/')}`,
          params: updateParamsJson(e.params, client.version),
          objects: e.objects,
        },
        `Update to server ${e.shortServerId} done${e.objects ? ' (with the object list)' : ''}`,
      ),
    ),
    client.on('deregistered', (e) =>
      output.event(
        {
          type: 'deregistered',
          endpoint: ep,
          server: e.serverUri,
          shortServerId: e.shortServerId,
          reason: e.reason,
          ...(e.error === undefined ? {} : { error: errorText(e.error) }),
        },
        `deregistered from ${e.serverUri} (${e.reason})${e.error === undefined ? '' : `: the De-register failed: ${errorText(e.error)}`}`,
      ),
    ),
    client.on('registrationFailed', (e) =>
      output.event(
        {
          type: 'registrationFailed',
          endpoint: ep,
          server: e.serverUri,
          shortServerId: e.shortServerId,
          error: errorText(e.error),
          attempt: e.attempt,
          final: e.final,
          ...(e.retryIn === undefined ? {} : { retryIn: e.retryIn }),
        },
        `registration with ${e.serverUri} failed: ${errorText(e.error)}${e.final ? '; giving up' : e.retryIn === undefined ? '' : `; next attempt in ${formatDuration(e.retryIn)}`}`,
      ),
    ),
    client.on('updateFailed', (e) =>
      output.event(
        {
          type: 'updateFailed',
          endpoint: ep,
          shortServerId: e.shortServerId,
          error: errorText(e.error),
          reregister: e.reregister,
          ...(e.retryIn === undefined ? {} : { retryIn: e.retryIn }),
        },
        `Update to server ${e.shortServerId} failed: ${errorText(e.error)}${e.reregister ? '; registering anew' : e.retryIn === undefined ? '' : `; retry in ${formatDuration(e.retryIn)}`}`,
      ),
    ),
    client.on('bootstrapNeeded', (e) =>
      output.event(
        { type: 'bootstrapNeeded', endpoint: ep, reason: e.reason },
        `the client needs a bootstrap (${e.reason}), which this tool does not do`,
      ),
    ),
    client.on('disabled', (e) =>
      output.event(
        {
          type: 'disabled',
          endpoint: ep,
          shortServerId: e.shortServerId,
          until: new Date(e.until).toISOString(),
        },
        `server ${e.shortServerId} disabled the connection until ${new Date(e.until).toISOString()}`,
      ),
    ),
    client.on('sleeping', (e) =>
      output.event(
        { type: 'sleeping', endpoint: ep, shortServerId: e.shortServerId },
        `asleep towards server ${e.shortServerId} (queue mode)`,
      ),
    ),
    client.on('awake', (e) =>
      output.event(
        { type: 'awake', endpoint: ep, shortServerId: e.shortServerId },
        `awake towards server ${e.shortServerId} (queue mode)`,
      ),
    ),
    client.on('operation', (e) =>
      output.event(
        {
          type: 'operation',
          endpoint: ep,
          shortServerId: e.shortServerId,
          operation: e.kind,
          paths: [...e.paths],
          code: formatCode(e.code),
        },
        `server ${e.kind} ${e.paths.join(' ')} -> ${formatCode(e.code)}`,
      ),
    ),
    client.on('observationStarted', (e) =>
      output.event(
        { type: 'observationStarted', endpoint: ep, shortServerId: e.shortServerId, paths: [...e.paths] },
        `server observes ${e.paths.join(' ')}`,
      ),
    ),
    client.on('observationEnded', (e) =>
      output.event(
        {
          type: 'observationEnded',
          endpoint: ep,
          shortServerId: e.shortServerId,
          paths: [...e.paths],
          reason: e.reason,
        },
        `observation of ${e.paths.join(' ')} ended (${e.reason})`,
      ),
    ),
    client.on('notification', (e) =>
      output.event(
        {
          type: 'notification',
          endpoint: ep,
          shortServerId: e.shortServerId,
          paths: [...e.paths],
          outcome: e.outcome,
        },
        `notification of ${e.paths.join(' ')} ${e.outcome}`,
      ),
    ),
    client.on('sent', (e) =>
      output.event(
        {
          type: 'sent',
          endpoint: ep,
          shortServerId: e.shortServerId,
          paths: [...e.paths],
          records: e.records,
        },
        `Send of ${e.paths.join(' ')} accepted by server ${e.shortServerId}`,
      ),
    ),
    client.on('error', (e) =>
      output.failure({
        ...describeError(e.error, {}, debug),
        message: `${e.context}: ${errorText(e.error)}`,
      }),
    ),
  ]
  return () => {
    for (const off of offs) off()
  }
}
