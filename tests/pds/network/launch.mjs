// The whole Bluesky network from @atproto/dev-env's TestNetwork, for tests: an in-memory PLC
// directory, our PDS, the bsky AppView (which counts likes, reposts and followers), bsync and
// ozone, all in this one process and all bound to 127.0.0.1.
//
// When everything is up this prints ONE JSON line on stdout:
//   {"pds": "http://127.0.0.1:<port>", "control": "http://127.0.0.1:<port>", ...}
// The control server answers POST /processAll once the AppView has indexed everything the PDS
// has emitted so far (200 {"ok": true, "ms": ...}; 500 with the error otherwise). Closing stdin,
// SIGTERM or SIGINT stops the network.
//
// Run with Node 22 from a directory whose node_modules has @atproto/dev-env
// (tests/pds/network.py copies this file into its install directory and starts it there).
//
// Environment:
//   DB_POSTGRES_URL      required: the PostgreSQL database the AppView, bsync and ozone use
//   DB_POSTGRES_SCHEMA   letters only (bsync refuses digits); default "postcal"
//   NETWORK_LOG_FILE     write the services' logs (pino) to this file; off otherwise
//   TMPDIR               where the PDSes keep their SQLite files and blobs (never cleaned here)
import http from 'node:http'
import net from 'node:net'

const started = performance.now()
const LOOPBACK = '127.0.0.1'

// The services call app.listen(port), which listens on every interface. Give every listen()
// that names no host the loopback address instead.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  const [first] = args
  if (first === undefined || typeof first === 'number' || /^\d+$/.test(String(first))) {
    if (typeof args[1] !== 'string') args.splice(0, 1, first ?? 0, LOOPBACK)
  } else if (first !== null && Object.getPrototypeOf(first) === Object.prototype) {
    const named = ['host', 'path', 'fd', 'handle'].some((key) => first[key] !== undefined)
    if (!named) args[0] = { ...first, host: LOOPBACK }
  }
  return listen.apply(this, args)
}

if (process.env.NETWORK_LOG_FILE) {
  process.env.LOG_ENABLED = 'true'
  process.env.LOG_DESTINATION = process.env.NETWORK_LOG_FILE
} else {
  delete process.env.LOG_ENABLED
}
// TestNetwork.create asserts REDIS_HOST is set; nothing in the network connects to it.
process.env.REDIS_HOST ||= 'unused'

// Imported after the switches above: the loggers read them when their modules load.
const { TestNetwork } = await import('@atproto/dev-env')

const network = await TestNetwork.create({
  dbPostgresUrl: process.env.DB_POSTGRES_URL,
  dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA || 'postcal',
  pds: { hostname: 'localhost' },
})

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

const control = http.createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/processAll') {
    const t = performance.now()
    try {
      await network.processAll()
      answer(res, 200, { ok: true, ms: Math.round(performance.now() - t) })
    } catch (err) {
      answer(res, 500, { ok: false, error: String(err?.stack || err) })
    }
  } else if (req.method === 'GET' && req.url === '/health') {
    answer(res, 200, { ok: true })
  } else {
    answer(res, 404, { ok: false, error: `no ${req.method} ${req.url}` })
  }
})
control.listen(0, LOOPBACK)
await new Promise((resolve) => control.once('listening', resolve))

process.stdout.write(
  JSON.stringify({
    pds: `http://${LOOPBACK}:${network.pds.port}`,
    pdsPublicUrl: network.pds.url,
    plc: network.plc.url,
    bsky: `http://${LOOPBACK}:${network.bsky.port}`,
    bskyDid: network.bsky.ctx.cfg.serverDid,
    ozone: network.ozone.url,
    control: `http://${LOOPBACK}:${control.address().port}`,
    startupMs: Math.round(performance.now() - started),
    node: process.version,
    pid: process.pid,
  }) + '\n',
)

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  control.closeAllConnections?.()
  control.close()
  try {
    await network.close()
  } catch (err) {
    console.error('shutdown:', err)
  }
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.stdin.on('end', stop)
process.stdin.on('error', stop)
process.stdin.resume()
