// lambda-mcp local: Node.js worker speaking the emulator's line protocol.
// Requests arrive one JSON object per line on fd $LMCP_REQUEST_FD; each answer is one JSON line on fd
// $LMCP_RESPONSE_FD. stdout and stderr are the function's log (console.* formatted as on Lambda); after each
// invocation a sentinel line marks the end of its output. The handler is loaded once and reused while warm.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const util = require('util');
const { pathToFileURL } = require('url');

const SENTINEL = '\x1eLMCP-END ';
const REQUEST_FD = Number(process.env.LMCP_REQUEST_FD || 3);
const RESPONSE_FD = Number(process.env.LMCP_RESPONSE_FD || 4);
let currentRequestId = 'undefined';

function writeResponse(obj) { fs.writeSync(RESPONSE_FD, JSON.stringify(obj) + '\n'); }
function endLog(id) { fs.writeSync(1, SENTINEL + id + '\n'); }

function patchConsole() {
  const emit = (fd, level) => (...args) => {
    const msg = util.format(...args).replace(/\n/g, '\r');
    fs.writeSync(fd, `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${msg}\n`);
  };
  console.log = emit(1, 'INFO');
  console.info = emit(1, 'INFO');
  console.debug = emit(1, 'DEBUG');
  console.warn = emit(2, 'WARN');
  console.error = emit(2, 'ERROR');
  console.trace = emit(2, 'TRACE');
}

function errorObject(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || 'Error',
      errorMessage: err.message,
      trace: String(err.stack || '').split('\n')
        .filter((l) => !l.includes('node_bootstrap.js') && !l.includes('(node:') && !l.includes('new Promise')),
    };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

async function loadHandler(spec) {
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const dot = spec.lastIndexOf('.');
  const modulePath = spec.slice(0, dot);
  const fnName = spec.slice(dot + 1);
  let file = null;
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const candidate = path.resolve(root, modulePath + ext);
    if (fs.existsSync(candidate)) { file = candidate; break; }
  }
  if (!file) {
    return { error: { errorType: 'Runtime.ImportModuleError',
      errorMessage: `Error: Cannot find module '${modulePath}'`, trace: [] } };
  }
  let mod;
  try {
    mod = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : require(file);
  } catch (err) {
    const e = errorObject(err);
    if (err instanceof SyntaxError) e.errorType = 'Runtime.UserCodeSyntaxError';
    return { error: e };
  }
  const handler = mod[fnName] || (mod.default && mod.default[fnName]);
  if (typeof handler !== 'function') {
    return { error: { errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${modulePath}.${fnName} is undefined or not exported`, trace: [] } };
  }
  return { handler };
}

function makeContext(req) {
  const deadline = req.deadlineMs || 0;
  let clientContext;
  if (req.clientContext) {
    try { clientContext = JSON.parse(req.clientContext); } catch (e) { clientContext = undefined; }
  }
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: req.version || process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: req.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: req.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext,
    identity: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) reject(err); else resolve(result);
    };
    context.done = callback;
    context.succeed = (r) => callback(null, r);
    context.fail = (e) => callback(e);
    try {
      const ret = handler(event, context, callback);
      if (ret && typeof ret.then === 'function') ret.then((r) => callback(null, r), (e) => callback(e));
      else if (handler.length < 3) callback(null, ret);
    } catch (err) {
      callback(err);
    }
  });
}

async function main() {
  patchConsole();
  const { handler, error } = await loadHandler(process.env._HANDLER || 'index.handler');
  if (error) {
    fs.writeSync(2, `${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify(error)}\n`);
    endLog('init');
    writeResponse({ type: 'init_error', error });
    process.exit(1);
  }
  endLog('init');
  writeResponse({ type: 'ready' });

  const rl = readline.createInterface({ input: fs.createReadStream(null, { fd: REQUEST_FD }) });
  const queue = [];
  let busy = false;
  const pump = async () => {
    if (busy) return;
    busy = true;
    while (queue.length) {
      const req = JSON.parse(queue.shift());
      currentRequestId = req.requestId;
      // As Lambda does: the invocation's X-Amzn-Trace-Id is the environment's _X_AMZN_TRACE_ID.
      if (req.traceId) process.env._X_AMZN_TRACE_ID = req.traceId;
      else delete process.env._X_AMZN_TRACE_ID;
      let response;
      try {
        const event = JSON.parse(req.event);
        const result = await runHandler(handler, event, makeContext(req));
        const payload = JSON.stringify(result === undefined ? null : result);
        response = { ok: true, payload };
      } catch (err) {
        const e = errorObject(err);
        console.error('Invoke Error \t' + JSON.stringify(e));
        response = { ok: false, error: e };
      }
      endLog(req.requestId);
      writeResponse(response);
    }
    busy = false;
  };
  rl.on('line', (line) => { queue.push(line); pump(); });
  rl.on('close', () => process.exit(0));
}

process.on('unhandledRejection', (reason) => {
  console.error('Unhandled Promise Rejection \t' + JSON.stringify(errorObject(reason)));
  process.exit(128);
});
main();
