'use strict';
// Fleet Node executor: one long-lived process per instance.
// Protocol (fd 3 in, fd 4 out): frames of a 4-byte big-endian length and UTF-8 JSON.
//   -> {"op":"init","mode":"serverledge","handler":"sieve.js","codeDir":"/code","maxResultBytes":n}
//   <- {"ok":true} | {"ok":false,"error":"..."}
//   -> {"op":"call","capture":bool,"params":{...}}
//   <- {"ok":bool,"result":"<json text>","output":"...","error":"...","duration":seconds}
// Other modes (dcp, wasm) plug in as further entries of MODES.
// With --own-pid-namespace (given in the sandbox only) the processes a call leaves behind end before its reply.
const fs = require('fs');
const net = require('net');
const path = require('path');
const util = require('util');

let capture = null;
let maxResultBytes = 6 << 20;

// The handler returned, but what it returned cannot be a result.
class ResultError extends Error {}

// Captured output cut to the result limit, so a chatty function cannot make the reply unbounded.
function bounded(text) {
  if (Buffer.byteLength(text, 'utf8') <= maxResultBytes) return text;
  return `${Buffer.from(text, 'utf8').subarray(0, maxResultBytes).toString('utf8').replace(/\uFFFD$/, '')}\n[output truncated]`;
}

function sink(stream) {
  return (chunk, encoding, callback) => {
    if (capture !== null) {
      capture[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    }
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
}

process.stdout.write = sink('out');
process.stderr.write = sink('err');
for (const [name, stream] of [['log', 'out'], ['info', 'out'], ['debug', 'out'], ['warn', 'err'], ['error', 'err']]) {
  console[name] = (...args) => sink(stream)(util.format(...args) + '\n');
}

function send(message) {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  for (let offset = 0; offset < frame.length;) {
    offset += fs.writeSync(4, frame, offset, frame.length - offset);
  }
}

function describe(error) {
  if (error instanceof ResultError) return error.message;
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}

function loadServerledge(request) {
  const handler = require(path.join(request.codeDir, request.handler));
  if (typeof handler !== 'function') throw new TypeError(`${request.handler} does not export a function`);
  return async (params) => {
    const value = await handler(params ?? {}, {});
    let text;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw new ResultError(`result is not JSON: ${describe(error)}`);
    }
    if (text === undefined) return '';
    const size = Buffer.byteLength(text, 'utf8');
    if (size > maxResultBytes) {
      throw new ResultError(`result of ${size} bytes is larger than the limit of ${maxResultBytes} bytes`);
    }
    return text;
  };
}

const MODES = { serverledge: loadServerledge };

const OWN_PID_NAMESPACE = process.argv.slice(2).includes('--own-pid-namespace');
const SWEEP_PASSES = 200;
// A call this short cannot have cycled through every pid and landed on the last one seen again.
const QUICK_CALL_SECONDS = 0.001;
const pause = new Int32Array(new SharedArrayBuffer(4));

// The last pid given out in this namespace: it changes whenever a process or thread is made here.
const lastPidFd = OWN_PID_NAMESPACE ? openLastPid() : null;
const lastPidBuffer = Buffer.alloc(32);
let lastPidSwept = null;

function openLastPid() {
  try {
    return fs.openSync('/proc/sys/kernel/ns_last_pid', 'r');
  } catch {
    return null;
  }
}

function lastPid() {
  return lastPidFd === null ? null : lastPidBuffer.toString('latin1', 0, fs.readSync(lastPidFd, lastPidBuffer, 0, 32, 0));
}

// Processes in the namespace besides its init (bubblewrap's, pid 1) and this executor, dead ones (zombies) left out.
function others() {
  const mine = String(process.pid);
  return fs.readdirSync('/proc').filter((name) => {
    if (!/^\d+$/.test(name) || name === '1' || name === mine) return false;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      return stat[stat.lastIndexOf(')') + 2] !== 'Z';
    } catch {
      return false; // ended meanwhile
    }
  });
}

// Ends what the call left running, so the next call finds the instance as the first did. When no task was made in the
// namespace since the last sweep (one read of ns_last_pid) and the call was quick, nothing can be left. Otherwise
// kill(-1) signals every process in this pid namespace but its init and the caller at once, under the kernel's
// task-list lock: a process that forks as fast as it can cannot slip a child past it. The passes wait for the killed
// to be gone; libuv reaps this executor's own children, init the rest.
function endLeftoverProcesses(seconds) {
  if (seconds < QUICK_CALL_SECONDS && lastPidSwept !== null && lastPid() === lastPidSwept) return;
  sweep();
  lastPidSwept = lastPid();
}

function sweep() {
  for (let pass = 0; pass < SWEEP_PASSES && others().length > 0; pass++) {
    try {
      process.kill(-1, 'SIGKILL');
    } catch {
      // ESRCH: nothing left to signal.
    }
    Atomics.wait(pause, 0, 0, 1);
  }
}

let invoke = null;

async function handle(request) {
  if (invoke === null) {
    try {
      maxResultBytes = request.maxResultBytes ?? maxResultBytes;
      invoke = MODES[request.mode ?? 'serverledge'](request);
      send({ ok: true });
    } catch (error) {
      send({ ok: false, error: describe(error) });
      process.exit(0);
    }
    return;
  }
  capture = request.capture ? { out: '', err: '' } : null;
  let reply;
  const started = process.hrtime.bigint();
  try {
    reply = { ok: true, result: await invoke(request.params) };
  } catch (error) {
    reply = { ok: false, error: describe(error) };
  }
  reply.duration = Number(process.hrtime.bigint() - started) / 1e9;
  if (capture !== null) reply.output = bounded(`${capture.out}\n${capture.err}`);
  capture = null;
  if (OWN_PID_NAMESPACE) endLeftoverProcesses(reply.duration);
  send(reply);
}

let pending = Buffer.alloc(0);
let queue = Promise.resolve();
const input = new net.Socket({ fd: 3, readable: true, writable: false });
input.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 4) {
    const length = pending.readUInt32BE(0);
    if (pending.length < 4 + length) break;
    const request = JSON.parse(pending.subarray(4, 4 + length).toString('utf8'));
    pending = pending.subarray(4 + length);
    queue = queue.then(() => handle(request));
  }
});
input.on('end', () => process.exit(0));
