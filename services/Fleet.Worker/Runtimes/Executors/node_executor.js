'use strict';
// Fleet Node executor: one long-lived process per instance.
// Protocol v2 (fd 3 in, fd 4 out): frames of a 4-byte big-endian length and UTF-8 JSON, each with an id; python_executor.py
// describes the frames. Conventions (CONVENTIONS): json-handler calls handler(params, ctx) and returns the JSON of its
// value; bytes-handler calls handler(input Buffer, ctx), which returns a Buffer/Uint8Array/string, a return code, or
// { output, returnCode }. dcp-work evaluates DCP's work function (dcp/work.json) once in a realm of its own and
// returns the JSON of await fn(datum, ...args) (see dcpWork). ctx.progress(x), ctx.host(call, fields), ctx.state.read/size/write/append/delete and
// ctx.invoke(fn, input) are host calls: they block until the worker answers
// (fs.readSync on fd 3), so synchronous code such as WebAssembly imports can make them. fd 3 stays a blocking pipe:
// between calls the next frame is read with fs.read in libuv's thread pool, so the event loop runs meanwhile.
// With --own-pid-namespace (given in the sandbox only) the processes a call leaves behind end before its reply.
const fs = require('fs');
const path = require('path');
const util = require('util');
const vm = require('vm');

let capture = null;
let maxResultBytes = 6 << 20;
const MAX_ERROR_CHARS = 2000;

// An item's failure whose message is already what the reply says.
class ReportedError extends Error {}

// The handler returned, but what it returned cannot be a result.
class ResultError extends ReportedError {}

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

// Bytes read from fd 3 and not yet taken: one read usually brings a whole frame, header and body.
let pending = Buffer.alloc(0);
const chunk = Buffer.allocUnsafe(64 << 10);

function append(count) {
  if (count === 0) process.exit(0);
  pending = Buffer.concat([pending, chunk.subarray(0, count)]);
}

function take(length) {
  const taken = pending.subarray(0, length);
  pending = pending.subarray(length);
  return taken;
}

function readExactSync(length) {
  while (pending.length < length) append(fs.readSync(3, chunk, 0, chunk.length, null));
  return take(length);
}

// A read waiting in the thread pool: Node's exit joins the pool's threads, and that one waits for the worker's next frame.
let reading = false;
process.on('exit', () => {
  // Ending after a reply (an unhandled rejection the function left): nothing else can end the waiting read.
  if (reading) process.kill(process.pid, 'SIGKILL');
});

function readExact(length) {
  return new Promise((resolve) => {
    const next = () => {
      if (pending.length >= length) return resolve(take(length));
      reading = true;
      fs.read(3, chunk, 0, chunk.length, null, (error, count) => {
        reading = false;
        append(error ? 0 : count);
        next();
      });
    };
    next();
  });
}

function parse(body) {
  return JSON.parse(body.toString('utf8'));
}

async function receive() {
  return parse(await readExact((await readExact(4)).readUInt32BE(0)));
}

function receiveSync() {
  return parse(readExactSync(readExactSync(4).readUInt32BE(0)));
}

function describe(error) {
  if (error instanceof ReportedError) return error.message.slice(0, MAX_ERROR_CHARS);
  if (error instanceof Error) return (error.message ? `${error.name}: ${error.message}` : error.name).slice(0, MAX_ERROR_CHARS);
  return String(error).slice(0, MAX_ERROR_CHARS);
}

// Asks the worker something during a call and blocks until it answers: the answer's value, or an Error.
let hostId = 0;
function host(call, fields = {}) {
  hostId += 1;
  send({ ...fields, op: 'host', id: hostId, call });
  const reply = receiveSync();
  if (reply.op !== 'host-reply' || reply.id !== hostId) process.exit(70); // out of step: nothing more can be answered
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

const toBase64 = (value) => (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)).toString('base64');
const present = (fields) => Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null));

// State: bytes kept by key in the function's namespace (string values are written as UTF-8); every method blocks.
const state = Object.freeze({
  read: (key, { offset, length } = {}) => {
    const value = host('state.read', present({ key, offset, length }));
    return value === null || value === undefined ? null : Buffer.from(value, 'base64');
  },
  size: (key) => host('state.size', { key }),
  write: (key, value, offset) => host('state.write', present({ key, value: toBase64(value), offset })),
  append: (key, value) => host('state.append', { key, value: toBase64(value) }),
  delete: (key) => host('state.delete', { key }),
});

// Runs a function of the same namespace and waits: { status, output, returnCode, error } (output a Buffer for a
// bytes-handler child); Buffer or Uint8Array input goes as bytes.
function invoke(fn, input) {
  const outcome = host('invoke', present({ function: fn, input: input instanceof Uint8Array ? toBase64(input) : input }));
  if (outcome.outputEncoding === 'base64') outcome.output = Buffer.from(outcome.output, 'base64');
  delete outcome.outputEncoding;
  return outcome;
}

// JSON.stringify leaves the functions out (and state is not enumerable): a handler returning its context writes {}.
function context() {
  const ctx = { progress: (value) => { host('progress', { value }); }, host, invoke };
  Object.defineProperty(ctx, 'state', { value: state, enumerable: false });
  return ctx;
}

function loadHandler(request) {
  const handler = require(path.join(request.codeDir, request.handler));
  if (typeof handler !== 'function') throw new TypeError(`${request.handler} does not export a function`);
  // A call's entry names another function the module exports (module.exports.name) to call instead.
  return (entry) => {
    if (entry == null) return handler;
    if (typeof handler[entry] !== 'function') throw new TypeError(`${request.handler} does not export a function ${entry}`);
    return handler[entry];
  };
}

function checkSize(size, budget) {
  if (size > budget) throw new ResultError(`result of ${size} bytes is larger than the limit of ${budget} bytes`);
}

// The JSON text of a value (undefined for a function, a symbol or undefined itself), or a ResultError.
function jsonText(value) {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new ResultError(`result is not JSON: ${describe(error)}`);
  }
}

function jsonOutcome(text, budget) {
  const size = Buffer.byteLength(text, 'utf8');
  checkSize(size, budget);
  return [{ ok: true, result: text, returnCode: 0 }, size];
}

function jsonHandler(request) {
  const handler = loadHandler(request);
  return async (item, budget, entry) => {
    const text = jsonText(await handler(entry)(item.params ?? {}, context()));
    return text === undefined ? [{ ok: true, result: '', returnCode: 0 }, 0] : jsonOutcome(text, budget);
  };
}

// dcp/work.json: { function: the work function's source, args: [...] }.
function dcpPackage(codeDir) {
  let work;
  try {
    work = JSON.parse(fs.readFileSync(path.join(codeDir, 'dcp', 'work.json'), 'utf8'));
  } catch (error) {
    throw new ReportedError(`dcp/work.json cannot be read: ${describe(error)}`);
  }
  if (work === null || typeof work !== 'object' || typeof work.function !== 'string' || work.function.trim() === '') {
    throw new TypeError('dcp/work.json must be {"function": "<source>", "args": [...]}');
  }
  if (work.args !== undefined && !Array.isArray(work.args)) throw new TypeError('dcp/work.json\'s args must be an array');
  return { source: work.function, args: work.args ?? [] };
}

// Made inside the work function's realm, so that what the function can reach (progress, console, their errors) is of
// that realm: the bridge to the executor stays in these closures. Console output is formatted here, not by Node's
// util.inspect, which would hand a value's custom inspector functions of the executor's realm.
const DCP_REALM = `'use strict';
(bridge) => {
  const show = (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return String(value.stack ?? value);
    try {
      const text = JSON.stringify(value);
      if (text !== undefined) return text;
    } catch {}
    try {
      return String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  };
  const console = {};
  for (const [name, stream] of [['log', 'out'], ['info', 'out'], ['debug', 'out'], ['warn', 'err'], ['error', 'err']]) {
    console[name] = (...args) => { bridge.write(stream, args.map(show).join(' ') + '\\n'); };
  }
  const progress = (value) => {
    if (value !== undefined && (typeof value !== 'number' || !(value >= 0 && value <= 1))) {
      throw new TypeError('progress takes nothing or a number from 0 to 1, not ' + show(value));
    }
    const failed = bridge.progress(value);
    if (failed !== '') throw new Error(failed);
  };
  Object.defineProperty(globalThis, 'console', { value: Object.freeze(console), writable: true, configurable: true });
  Object.defineProperty(globalThis, 'progress', { value: progress, writable: true, configurable: true });
  return JSON.parse;
}`;

// The bridge's functions take and return primitives only, and never throw into the realm.
const dcpBridge = Object.freeze({
  write: (stream, text) => { sink(stream)(String(text)); },
  progress: (value) => {
    try {
      host('progress', value === undefined ? {} : { value });
      return '';
    } catch (error) {
      return String(error.message);
    }
  },
});

// DCP's work function: the source evaluated as an expression, (source), once per instance in a fresh realm whose
// globals are JavaScript's built-ins, progress(value?) (the progress host call) and console (the call's capture); no
// require, process, file or network. Each item's params are one slice's datum, any JSON value: the result is the JSON
// of await fn(datum, ...args), undefined being null. Datum and args are parsed in the realm, so the function sees
// none of the executor's objects.
function dcpWork(request) {
  const { source, args } = dcpPackage(request.codeDir);
  const realm = vm.createContext(Object.create(null), { name: 'dcp-work' });
  const parse = vm.runInContext(DCP_REALM, realm)(dcpBridge);
  let fn;
  try {
    fn = vm.runInContext(`(${source}\n)`, realm, { filename: 'work.function' });
  } catch (error) {
    throw new ReportedError(`work function cannot be evaluated: ${thrown(error)}`);
  }
  if (typeof fn !== 'function') throw new TypeError('work function is not a function');
  const argsText = JSON.stringify(args);
  return async (item, budget, entry) => {
    if (entry != null) throw new TypeError('the dcp-work convention has no entries');
    let value;
    try {
      value = await fn(parse(JSON.stringify(item.params ?? null)), ...parse(argsText));
    } catch (error) {
      throw new ReportedError(thrown(error));
    }
    if (value === undefined) return jsonOutcome('null', budget);
    const text = jsonText(value);
    if (text === undefined) throw new ResultError(`result is not JSON: a ${typeof value} cannot be serialised`);
    return jsonOutcome(text, budget);
  };
}

// What another realm's code threw ("Error: boom"): its errors are not instances of this realm's Error.
function thrown(error) {
  try {
    if (util.types.isNativeError(error)) {
      return (error.message ? `${error.name}: ${error.message}` : String(error.name)).slice(0, MAX_ERROR_CHARS);
    }
    return String(error).slice(0, MAX_ERROR_CHARS);
  } catch {
    return 'the work function threw a value that cannot be shown';
  }
}

// [output, return code] from what a bytes handler returned.
function bytesResult(value) {
  const { output, returnCode } = typeof value === 'number' ? { output: null, returnCode: value }
    : value instanceof Uint8Array || typeof value === 'string' || value == null ? { output: value, returnCode: 0 }
      : value;
  const bytes = output == null ? Buffer.alloc(0) : typeof output === 'string' ? Buffer.from(output, 'utf8')
    : output instanceof Uint8Array ? Buffer.from(output.buffer, output.byteOffset, output.byteLength) : null;
  if (bytes === null || !Number.isInteger(returnCode ?? 0)) throw new ResultError('result is not bytes and a return code');
  return [bytes, returnCode ?? 0];
}

function bytesHandler(request) {
  const handler = loadHandler(request);
  return async (item, budget, entry) => {
    const [bytes, returnCode] = bytesResult(await handler(entry)(Buffer.from(item.input ?? '', 'base64'), context()));
    checkSize(bytes.length, budget);
    return [{ ok: true, output: bytes.toString('base64'), returnCode }, bytes.length];
  };
}

const CONVENTIONS = { 'json-handler': jsonHandler, 'bytes-handler': bytesHandler, 'dcp-work': dcpWork };

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

// One outcome per item, in order; a failing item fails alone. The items' results share the result limit.
async function outcomes(invoke, items, entry) {
  let budget = maxResultBytes;
  const all = [];
  for (const item of items) {
    const started = process.hrtime.bigint();
    let outcome;
    try {
      let size;
      [outcome, size] = await invoke(item, budget, entry);
      budget -= size;
    } catch (error) {
      outcome = { ok: false, error: describe(error), returnCode: 1 };
    }
    outcome.duration = Number(process.hrtime.bigint() - started) / 1e9;
    all.push(outcome);
  }
  return all;
}

async function call(invoke, request) {
  capture = request.capture ? { out: '', err: '' } : null;
  const started = process.hrtime.bigint();
  const batch = Array.isArray(request.items);
  const items = await outcomes(invoke, batch ? request.items : [request], request.entry);
  const reply = batch ? { ok: true, items, duration: Number(process.hrtime.bigint() - started) / 1e9 } : items[0];
  reply.op = 'reply';
  reply.id = request.id;
  if (capture !== null) {
    reply.stdout = bounded(capture.out);
    reply.stderr = bounded(capture.err);
  }
  capture = null;
  if (OWN_PID_NAMESPACE) endLeftoverProcesses(reply.duration);
  return reply;
}

async function main() {
  const init = await receive();
  let invoke;
  try {
    maxResultBytes = init.maxResultBytes ?? maxResultBytes;
    const convention = init.convention ?? 'json-handler';
    if (!Object.hasOwn(CONVENTIONS, convention)) throw new Error(`convention ${convention} is not supported`);
    invoke = CONVENTIONS[convention](init);
  } catch (error) {
    send({ op: 'reply', id: init.id, ok: false, error: describe(error) });
    process.exit(0);
  }
  send({ op: 'reply', id: init.id, ok: true });
  for (;;) {
    const request = await receive();
    send(await call(invoke, request));
  }
}

main();
