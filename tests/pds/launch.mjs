// A real Bluesky PDS (@atproto/pds) with an in-memory did:plc directory, for tests.
//
// Both servers listen on 127.0.0.1 only, on free ports. When they are ready this prints ONE
// JSON line on stdout: {"pds": "http://127.0.0.1:<port>", "plc": "http://localhost:<port>", ...}.
// It stops (and deletes its data directory) when stdin closes, or on SIGTERM/SIGINT.
//
// Run with Node 22 from a directory whose node_modules has @atproto/pds and @did-plc/server
// (tests/pds/harness.py copies this file into its install directory and starts it there).
//
// Environment (optional):
//   PDS_DATA_DIR           keep data here instead of a fresh temporary directory
//   PDS_RATE_LIMITS        "1" turns the PDS's own rate limits on (in memory)
//   PDS_LOG_FILE           write the PDS's logs (pino) to this file; off otherwise
import crypto from 'node:crypto'
import { once } from 'node:events'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

const started = performance.now()
const LOOPBACK = '127.0.0.1'

if (process.env.PDS_LOG_FILE) {
  process.env.LOG_ENABLED = 'true'
  process.env.LOG_DESTINATION = process.env.PDS_LOG_FILE
} else {
  delete process.env.LOG_ENABLED
}

// Imported after the log switches above: the loggers read them when their modules load.
const { PDS, envToCfg, envToSecrets } = await import('@atproto/pds')
const plc = await import('@did-plc/server')

async function listen(app) {
  const server = app.listen(0, LOOPBACK)
  await once(server, 'listening')
  return server
}

async function close(server) {
  if (!server) return
  server.closeAllConnections?.()
  await new Promise((resolve) => server.close(() => resolve()))
}

// did:plc directory with the package's in-memory database (no Postgres).
const plcDb = plc.Database.mock()
const plcServer = plc.PlcServer.create({ db: plcDb, port: 0 })
const plcHttp = await listen(plcServer.app)
// The PDS's identity resolver refuses IP-literal hosts, so it gets "localhost".
const plcUrl = `http://localhost:${plcHttp.address().port}`

const ownDataDir = !process.env.PDS_DATA_DIR
const dataDir = process.env.PDS_DATA_DIR || (await fs.mkdtemp(path.join(os.tmpdir(), 'postcal-pds-')))
await fs.mkdir(dataDir, { recursive: true })

// The PDS must know its port before it is created, so reserve one and hand it over.
const probe = net.createServer()
probe.listen(0, LOOPBACK)
await once(probe, 'listening')
const pdsPort = probe.address().port
await new Promise((resolve) => probe.close(() => resolve()))

const rotationKey = crypto.createECDH('secp256k1')
rotationKey.generateKeys()
const secret = () => crypto.randomBytes(32).toString('hex')

const env = {
  devMode: true,
  port: pdsPort,
  hostname: 'localhost',
  serviceHandleDomains: ['.test'],
  dataDirectory: dataDir,
  blobstoreDiskLocation: path.join(dataDir, 'blobs'),
  didPlcUrl: plcUrl,
  jwtSecret: secret(),
  dpopSecret: secret(),
  adminPassword: secret(),
  plcRotationKeyK256PrivateKeyHex: rotationKey.getPrivateKey('hex').padStart(64, '0'),
  inviteRequired: false,
  disableSsrfProtection: true,
  rateLimitsEnabled: process.env.PDS_RATE_LIMITS === '1',
  crawlers: [],
  serviceName: 'postcal test PDS',
}
const pds = await PDS.create(envToCfg(env), envToSecrets(env))
// PDS.start() listens on every interface; do its two steps, bound to loopback.
await pds.ctx.sequencer.start()
const pdsHttp = pds.app.listen(pdsPort, LOOPBACK)
await once(pdsHttp, 'listening')

process.stdout.write(
  JSON.stringify({
    pds: `http://${LOOPBACK}:${pdsPort}`,
    publicUrl: pds.ctx.cfg.service.publicUrl,
    plc: plcUrl,
    dataDir,
    adminPassword: env.adminPassword,
    rateLimits: env.rateLimitsEnabled,
    startupMs: Math.round(performance.now() - started),
    node: process.version,
    pid: process.pid,
  }) + '\n',
)

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  const steps = [
    () => close(pdsHttp),
    () => pds.destroy(),
    () => close(plcHttp),
    () => plcDb.close(),
    () => (ownDataDir ? fs.rm(dataDir, { recursive: true, force: true }) : undefined),
  ]
  for (const step of steps) {
    try {
      await step()
    } catch (err) {
      console.error('shutdown:', err)
    }
  }
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.stdin.on('end', stop)
process.stdin.on('error', stop)
process.stdin.resume()
