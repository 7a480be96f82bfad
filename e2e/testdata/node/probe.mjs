#!/usr/bin/env node
// probe.mjs: a real MCP client probe for toolhost built on the official
// TypeScript v2 client (@modelcontextprotocol/client, pinned in package.json).
//
// It connects to one Streamable HTTP endpoint in one protocol era and runs up
// to three checks, printing one JSON line per check on stdout:
//
//   {"check":"list_changed","ok":true,"detail":"..."}
//   {"check":"progress","ok":true,"detail":"..."}
//   {"check":"cancellation","ok":true,"detail":"..."}
//
// Exit status: 0 when every selected check passed, 1 when any check (or the
// connection) failed, 2 on a usage error. Run it with Node 22 from
// node_modules/.bin (see internal/nodeclients); `node probe.mjs --help` lists
// the flags.

import { parseArgs } from "node:util";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

const MODERN_VERSION = "2026-07-28";
const ALL_CHECKS = ["list_changed", "progress", "cancellation"];

const USAGE = `usage: node probe.mjs --url URL [--era legacy|modern] [flags]

Checks (--checks, comma-separated; default: ${ALL_CHECKS.join(",")}):
  list_changed  call --trigger NAME (which must change the server's tool list)
                and wait up to --list-changed-timeout-ms for
                listChanged.tools.onChanged
  progress      call --tool-progress NAME with an onprogress callback; pass when
                every step arrived (count from --progress-steps N, else from
                the result's structuredContent.progressSteps) in increasing order
  cancellation  call --tool-slow NAME, abort it after --abort-after-ms; pass when
                the call rejects with the abort within --cancel-deadline-ms and
                the connection still answers tools/list afterwards

Flags:
  --url URL                      Streamable HTTP endpoint, e.g. http://127.0.0.1:8931/mcp
  --era legacy|modern            legacy: versionNegotiation mode "legacy" (initialize);
                                 modern: pin "${MODERN_VERSION}" (server/discover). Default legacy.
  --header "Name: Value"         extra HTTP header on every request (repeatable)
  --checks LIST                  which checks to run, comma-separated
  --trigger NAME                 tool whose call changes the tool list
  --trigger-args JSON            its arguments (default {})
  --list-changed-timeout-ms N    default 3000
  --tool-progress NAME           tool that reports progress
  --progress-args JSON           its arguments (default {})
  --progress-steps N             expected number of progress notifications
  --tool-slow NAME               tool that runs until cancelled
  --slow-args JSON               its arguments (default {})
  --abort-after-ms N             default 300
  --cancel-deadline-ms N         default 2000
  --connect-timeout-ms N         default 10000
  --help`;

function usage(message) {
  process.stderr.write(`probe.mjs: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseCLI(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: "string" },
        era: { type: "string", default: "legacy" },
        header: { type: "string", multiple: true, default: [] },
        checks: { type: "string", default: ALL_CHECKS.join(",") },
        trigger: { type: "string" },
        "trigger-args": { type: "string", default: "{}" },
        "list-changed-timeout-ms": { type: "string", default: "3000" },
        "tool-progress": { type: "string" },
        "progress-args": { type: "string", default: "{}" },
        "progress-steps": { type: "string" },
        "tool-slow": { type: "string" },
        "slow-args": { type: "string", default: "{}" },
        "abort-after-ms": { type: "string", default: "300" },
        "cancel-deadline-ms": { type: "string", default: "2000" },
        "connect-timeout-ms": { type: "string", default: "10000" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (err) {
    usage(err.message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(USAGE + "\n");
    process.exit(0);
  }
  if (!v.url) usage("--url is required");
  let url;
  try {
    url = new URL(v.url);
  } catch {
    usage(`--url ${JSON.stringify(v.url)} is not an absolute URL`);
  }
  if (v.era !== "legacy" && v.era !== "modern") usage(`--era must be legacy or modern, not ${JSON.stringify(v.era)}`);

  const checks = v.checks.split(",").map((s) => s.trim()).filter(Boolean);
  for (const c of checks) {
    if (!ALL_CHECKS.includes(c)) usage(`--checks: unknown check ${JSON.stringify(c)} (known: ${ALL_CHECKS.join(", ")})`);
  }
  if (checks.length === 0) usage("--checks selects no check");
  const need = { list_changed: "trigger", progress: "tool-progress", cancellation: "tool-slow" };
  for (const c of checks) {
    if (!v[need[c]]) usage(`check ${c} needs --${need[c]} NAME (or leave it out of --checks)`);
  }

  const json = (flag) => {
    let val;
    try {
      val = JSON.parse(v[flag]);
    } catch (err) {
      usage(`--${flag} is not valid JSON: ${err.message}`);
    }
    if (val === null || typeof val !== "object" || Array.isArray(val)) usage(`--${flag} must be a JSON object`);
    return val;
  };
  const int = (flag, { optional = false } = {}) => {
    if (optional && v[flag] === undefined) return undefined;
    const n = Number(v[flag]);
    if (!Number.isInteger(n) || n <= 0) usage(`--${flag} must be a positive integer, not ${JSON.stringify(v[flag])}`);
    return n;
  };
  const headers = {};
  for (const h of v.header) {
    const i = h.indexOf(":");
    if (i <= 0) usage(`--header ${JSON.stringify(h)} is not "Name: Value"`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }

  return {
    url,
    era: v.era,
    headers,
    checks,
    trigger: v.trigger,
    triggerArgs: json("trigger-args"),
    listChangedTimeoutMs: int("list-changed-timeout-ms"),
    progressTool: v["tool-progress"],
    progressArgs: json("progress-args"),
    progressSteps: int("progress-steps", { optional: true }),
    slowTool: v["tool-slow"],
    slowArgs: json("slow-args"),
    abortAfterMs: int("abort-after-ms"),
    cancelDeadlineMs: int("cancel-deadline-ms"),
    connectTimeoutMs: int("connect-timeout-ms"),
  };
}

function report(check, ok, detail) {
  process.stdout.write(JSON.stringify({ check, ok, detail }) + "\n");
  return ok;
}

function describeError(err) {
  if (err === undefined || err === null) return String(err);
  const parts = [];
  if (err.name && err.name !== "Error") parts.push(err.name);
  if (err.code !== undefined) parts.push(`code ${err.code}`);
  parts.push(err.message ?? String(err));
  return parts.join(": ");
}

function toolText(result) {
  const t = (result?.content ?? []).find((c) => c.type === "text");
  return t ? t.text : "";
}

// A deferred promise for the listChanged callback, which is given to the
// Client constructor before the check that awaits it exists.
function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

async function checkListChanged(client, opts, changed) {
  const before = (await client.listTools(undefined, { cacheMode: "bypass" })).tools.map((t) => t.name);
  if (opts.era === "modern" && client.autoOpenedSubscription === undefined) {
    return report("list_changed", false,
      "no subscriptions/listen stream was opened at connect: the server must advertise tools.listChanged " +
      "and acknowledge subscriptions/listen with toolsListChanged");
  }
  const res = await client.callTool({ name: opts.trigger, arguments: opts.triggerArgs });
  if (res.isError) {
    return report("list_changed", false, `trigger tool ${opts.trigger} returned isError: ${toolText(res)}`);
  }
  const started = Date.now();
  let timer;
  const timeout = new Promise((r) => {
    timer = setTimeout(() => r("timeout"), opts.listChangedTimeoutMs);
  });
  const outcome = await Promise.race([changed.promise, timeout]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    return report("list_changed", false,
      `no tools list_changed reached onChanged within ${opts.listChangedTimeoutMs} ms after calling ${opts.trigger}`);
  }
  const { error, tools } = outcome;
  const ms = Date.now() - started;
  if (error) return report("list_changed", false, `onChanged fired after ${ms} ms but refreshing tools failed: ${describeError(error)}`);
  const after = (tools ?? []).map((t) => t.name);
  const added = after.filter((n) => !before.includes(n));
  const removed = before.filter((n) => !after.includes(n));
  if (added.length === 0 && removed.length === 0) {
    return report("list_changed", false, `onChanged fired after ${ms} ms but the tool list is unchanged (${after.length} tools)`);
  }
  return report("list_changed", true,
    `onChanged after ${ms} ms; added [${added.join(", ")}], removed [${removed.join(", ")}]`);
}

async function checkProgress(client, opts) {
  const seen = [];
  const res = await client.callTool(
    { name: opts.progressTool, arguments: opts.progressArgs },
    { onprogress: (p) => seen.push(p), timeout: 30000 },
  );
  if (res.isError) return report("progress", false, `tool ${opts.progressTool} returned isError: ${toolText(res)}`);
  let expected = opts.progressSteps;
  let source = "--progress-steps";
  if (expected === undefined) {
    const n = res.structuredContent?.progressSteps;
    if (!Number.isInteger(n) || n <= 0) {
      return report("progress", false,
        "expected step count unknown: pass --progress-steps N or return structuredContent.progressSteps");
    }
    expected = n;
    source = "structuredContent.progressSteps";
  }
  const values = seen.map((p) => p.progress);
  const total = seen.length ? seen[seen.length - 1].total : undefined;
  const increasing = values.every((v, i) => i === 0 || v > values[i - 1]);
  const summary = `saw ${seen.length}/${expected} progress notifications (${source}), values [${values.join(", ")}]` +
    (total !== undefined ? `, total ${total}` : "");
  if (seen.length !== expected) {
    const hint = seen.length < expected ? "; missing steps (the last one before the result is the usual casualty)" : "";
    return report("progress", false, summary + hint);
  }
  if (!increasing) return report("progress", false, summary + "; progress did not strictly increase");
  return report("progress", true, summary);
}

async function checkCancellation(client, opts) {
  const controller = new AbortController();
  const reason = new Error(`probe aborted the call after ${opts.abortAfterMs} ms`);
  let abortedAt;
  const timer = setTimeout(() => {
    abortedAt = Date.now();
    controller.abort(reason);
  }, opts.abortAfterMs);
  let outcome;
  try {
    const res = await client.callTool(
      { name: opts.slowTool, arguments: opts.slowArgs },
      { signal: controller.signal, timeout: 60000 },
    );
    outcome = { resolved: res };
  } catch (err) {
    outcome = { rejected: err, at: Date.now() };
  } finally {
    clearTimeout(timer);
  }
  if (outcome.resolved) {
    return report("cancellation", false,
      `tool ${opts.slowTool} returned before it was aborted (isError=${Boolean(outcome.resolved.isError)}): ` +
      "pass a tool that runs longer than --abort-after-ms");
  }
  const err = outcome.rejected;
  if (abortedAt === undefined) {
    return report("cancellation", false, `call rejected before the abort: ${describeError(err)}`);
  }
  const ms = outcome.at - abortedAt;
  const msg = String(err?.message ?? err);
  const isAbort = err === reason || msg.includes(reason.message) || err?.name === "AbortError" || /abort|cancel/i.test(msg);
  if (!isAbort) return report("cancellation", false, `call rejected ${ms} ms after the abort, but not with an abort error: ${describeError(err)}`);
  if (ms >= opts.cancelDeadlineMs) {
    return report("cancellation", false, `call rejected ${ms} ms after the abort (deadline ${opts.cancelDeadlineMs} ms)`);
  }
  try {
    await client.listTools(undefined, { cacheMode: "bypass", timeout: 5000 });
  } catch (e) {
    return report("cancellation", false, `aborted after ${ms} ms, but tools/list then failed: ${describeError(e)}`);
  }
  return report("cancellation", true, `rejected ${ms} ms after the abort with ${describeError(err)}; connection still usable`);
}

async function main() {
  const opts = parseCLI(process.argv.slice(2));
  const changed = deferred();
  const client = new Client(
    { name: "toolhost-probe", version: "1.0.0" },
    {
      versionNegotiation: { mode: opts.era === "modern" ? { pin: MODERN_VERSION } : "legacy" },
      listChanged: {
        tools: {
          debounceMs: 0,
          onChanged: (error, tools) => changed.resolve({ error, tools }),
        },
      },
    },
  );
  const transport = new StreamableHTTPClientTransport(opts.url, {
    requestInit: { headers: opts.headers },
  });
  try {
    await client.connect(transport, { timeout: opts.connectTimeoutMs });
  } catch (err) {
    report("connect", false, `connecting to ${opts.url} in the ${opts.era} era failed: ${describeError(err)}`);
    return 1;
  }

  let allOK = true;
  const runners = { list_changed: checkListChanged, progress: checkProgress, cancellation: checkCancellation };
  for (const check of opts.checks) {
    try {
      if (!(await runners[check](client, opts, changed))) allOK = false;
    } catch (err) {
      report(check, false, `unexpected error: ${describeError(err)}`);
      allOK = false;
    }
  }
  await client.close().catch(() => {});
  return allOK ? 0 : 1;
}

// Exit explicitly: an aborted request's stream or a keep-alive socket must not
// keep the probe alive after its verdict. Stdout is a pipe or file here, and
// both are written synchronously on Linux, so nothing printed is lost.
process.exit(await main());
