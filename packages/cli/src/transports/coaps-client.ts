import { secureTransport } from '@lwm2m/client'
import { dtlsClient } from '@lwm2m/dtls'
import { SecurityMode } from '@lwm2m/objects'
import { CliError } from '../errors.js'
import type { AccountSecurity, ClientTransportProvider } from './client-transports.js'
import { localBinding } from './client-transports.js'
import { hexBytes, keyMaterial } from './key-material.js'

function invalid(message: string): never {
  throw new CliError('CLI_INVALID_OPTION', message)
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined)

/**
 * DTLS for `lwm2m client` (a `coaps://` server): the options fill the Security instance of
 * the account, which @lwm2m/client turns into DTLS (Security Mode by the options given):
 * `--psk-identity` and `--psk-key` (PSK), `--rpk-key` and `--server-public-key` (raw public
 * keys), `--cert`, `--key` and `--ca` (the server's CA, Certificate Usage 2) or
 * `--server-cert` (the server's own certificate, usage 3). `--sni` sets /0/x/14.
 */
export const coapsClientTransport: ClientTransportProvider = {
  scheme: 'coaps',
  addOptions: (command) =>
    command
      .option('--psk-identity <identity>', 'coaps: PSK identity')
      .option('--psk-key <hex>', 'coaps: pre-shared key, hex')
      .option(
        '--rpk-key <file>',
        'coaps: our P-256 private key for raw public keys (PEM or DER file, or hex)',
      )
      .option('--server-public-key <file>', "coaps: the server's raw public key (PEM or DER file, or hex)")
      .option('--cert <file>', 'coaps: our certificate (PEM or DER)')
      .option('--key <file>', 'coaps: the private key of --cert (PEM or DER)')
      .option('--ca <file>', "coaps: the CA the server's certificate must lead to")
      .option('--server-cert <file>', "coaps: the server's own certificate, pinned (instead of --ca)")
      .option('--sni <name>', 'coaps: the server name to send and check (default: the host of --server)'),
  account(options) {
    const psk = str(options.pskIdentity) !== undefined || str(options.pskKey) !== undefined
    const rpk = str(options.rpkKey) !== undefined || str(options.serverPublicKey) !== undefined
    const x509 = [options.cert, options.key, options.ca, options.serverCert].some((v) => str(v) !== undefined)
    if ([psk, rpk, x509].filter(Boolean).length > 1) {
      invalid(
        'give the credentials of one mode: --psk-identity/--psk-key, --rpk-key/--server-public-key, or --cert/--key/--ca',
      )
    }
    const sni = str(options.sni)
    const extra = sni === undefined ? {} : { 14: sni }
    let account: AccountSecurity
    if (psk) {
      const identity = str(options.pskIdentity)
      const key = str(options.pskKey)
      if (identity === undefined || key === undefined) invalid('PSK needs both --psk-identity and --psk-key')
      account = {
        securityMode: SecurityMode.PreSharedKey,
        publicKeyOrIdentity: identity,
        secretKey: hexBytes(key, '--psk-key'),
      }
    } else if (rpk) {
      const key = str(options.rpkKey)
      const server = str(options.serverPublicKey)
      if (key === undefined || server === undefined)
        invalid('raw public keys need --rpk-key and --server-public-key')
      account = {
        securityMode: SecurityMode.RawPublicKey,
        secretKey: keyMaterial(key, '--rpk-key'),
        serverPublicKey: keyMaterial(server, '--server-public-key'),
      }
    } else if (x509) {
      const cert = str(options.cert)
      const key = str(options.key)
      const ca = str(options.ca)
      const pinned = str(options.serverCert)
      if (cert === undefined || key === undefined) invalid('certificates need --cert and --key')
      if ((ca === undefined) === (pinned === undefined))
        invalid('certificates need one of --ca or --server-cert')
      account = {
        securityMode: SecurityMode.Certificate,
        publicKeyOrIdentity: keyMaterial(cert, '--cert'),
        secretKey: keyMaterial(key, '--key'),
        serverPublicKey: keyMaterial((ca ?? pinned)!, ca === undefined ? '--server-cert' : '--ca'),
        resources: { ...extra, 15: ca === undefined ? 3 : 2 },
      }
      return account
    } else {
      return invalid(
        'a coaps:// server needs credentials: --psk-identity and --psk-key, --rpk-key and --server-public-key, or --cert, --key and --ca',
      )
    }
    return sni === undefined ? account : { ...account, resources: extra }
  },
  factory: (options) => (context) => {
    const { host, port } = localBinding(options, context.uri)
    return secureTransport({
      module: { dtlsClient },
      dtls: { port, ...(host === undefined ? {} : { host }) },
    })(context)
  },
}
