#!/usr/bin/env node
// Emits N logs, spans or metric points through the real OpenTelemetry JS SDK and OTLP exporter,
// then flushes and exits 0 only if every export succeeded.
//
//   node send.js --protocol http/protobuf|http/json|grpc --endpoint URL --signal logs|traces|metrics
//                --count N --run-id ID [--header k=v]...
//
// --endpoint is the base address (http://127.0.0.1:PORT); the signal path (/v1/logs...) is added
// for the HTTP protocols. Every record carries e2e.run_id, e2e.id = "<run-id>-<signal>-<i>" and
// e2e.seq = i, plus typed attributes whose values e2e_test.cc recomputes from the seq:
//   e2e.str = "value-<i>", e2e.int = i * 7, e2e.double = i + 0.25, e2e.bool = (i % 2 == 0),
//   e2e.array = ["a<i>", "b<i>"]
// logs: body "log body <id>", severity WARN (13); traces: span "e2e-span-<i>" kind CLIENT with an
// event "e2e.event"; metrics: counter e2e.requests add(i + 1) and histogram e2e.latency_ms
// record(i + 0.5), both with the attributes above.
'use strict';

function parseArgs(argv) {
  const opts = {headers: {}, count: 10};
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    switch (a) {
      case '--protocol': opts.protocol = next(); break;
      case '--endpoint': opts.endpoint = next().replace(/\/+$/, ''); break;
      case '--signal': opts.signal = next(); break;
      case '--count': opts.count = Number.parseInt(next(), 10); break;
      case '--run-id': opts.runId = next(); break;
      case '--header': {
        const kv = next();
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new Error(`--header wants k=v, got ${kv}`);
        opts.headers[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!['http/protobuf', 'http/json', 'grpc'].includes(opts.protocol)) {
    throw new Error('--protocol must be http/protobuf, http/json or grpc');
  }
  if (!['logs', 'traces', 'metrics'].includes(opts.signal)) {
    throw new Error('--signal must be logs, traces or metrics');
  }
  if (!opts.endpoint || !opts.runId || !(opts.count > 0)) {
    throw new Error('--endpoint, --run-id and a positive --count are required');
  }
  return opts;
}

const kPackages = {
  'http/protobuf': 'proto',
  'http/json': 'http',
  'grpc': 'grpc',
};

// The exporter for signal x protocol, configured the way an agent would configure it.
function makeExporter(opts) {
  const flavour = kPackages[opts.protocol];
  const pkg = {
    logs: `@opentelemetry/exporter-logs-otlp-${flavour}`,
    traces: `@opentelemetry/exporter-trace-otlp-${flavour}`,
    metrics: `@opentelemetry/exporter-metrics-otlp-${flavour}`,
  }[opts.signal];
  const cls = {logs: 'OTLPLogExporter', traces: 'OTLPTraceExporter',
    metrics: 'OTLPMetricExporter'}[opts.signal];
  const Exporter = require(pkg)[cls];
  if (opts.protocol === 'grpc') {
    const grpc = require('@grpc/grpc-js');
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(opts.headers)) metadata.set(k.toLowerCase(), v);
    return new Exporter({url: opts.endpoint, metadata, timeoutMillis: 20000});
  }
  const path = {logs: '/v1/logs', traces: '/v1/traces', metrics: '/v1/metrics'}[opts.signal];
  return new Exporter({url: opts.endpoint + path, headers: opts.headers, timeoutMillis: 20000});
}

// Wraps export() so that a failed export (after the exporter's own retries) fails the run.
function tracked(exporter, failures) {
  const original = exporter.export.bind(exporter);
  exporter.export = (items, done) => original(items, (result) => {
    if (result.code !== 0) {
      failures.push(result.error ? String(result.error.message || result.error) : 'export failed');
    }
    done(result);
  });
  return exporter;
}

function attributesFor(opts, i) {
  return {
    'e2e.run_id': opts.runId,
    'e2e.id': `${opts.runId}-${opts.signal}-${i}`,
    'e2e.seq': i,
    'e2e.str': `value-${i}`,
    'e2e.int': i * 7,
    'e2e.double': i + 0.25,
    'e2e.bool': i % 2 === 0,
    'e2e.array': [`a${i}`, `b${i}`],
  };
}

async function main() {
  const opts = parseArgs(process.argv);
  const {resourceFromAttributes} = require('@opentelemetry/resources');
  const resource = resourceFromAttributes({
    'service.name': 'agentgate-e2e',
    'e2e.protocol': opts.protocol,
    'e2e.run_id': opts.runId,
  });
  const failures = [];
  const exporter = tracked(makeExporter(opts), failures);

  if (opts.signal === 'logs') {
    const {LoggerProvider, BatchLogRecordProcessor} = require('@opentelemetry/sdk-logs');
    const provider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor(exporter, {maxExportBatchSize: 64})],
    });
    const logger = provider.getLogger('agentgate-e2e', '1.0.0');
    for (let i = 0; i < opts.count; i++) {
      const attrs = attributesFor(opts, i);
      logger.emit({
        body: `log body ${attrs['e2e.id']}`,
        severityNumber: 13,
        severityText: 'WARN',
        attributes: attrs,
      });
    }
    await provider.forceFlush();
    await provider.shutdown();
  } else if (opts.signal === 'traces') {
    const {BasicTracerProvider, BatchSpanProcessor} = require('@opentelemetry/sdk-trace-base');
    const {SpanKind} = require('@opentelemetry/api');
    const provider = new BasicTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(exporter, {maxExportBatchSize: 64})],
    });
    const tracer = provider.getTracer('agentgate-e2e', '1.0.0');
    for (let i = 0; i < opts.count; i++) {
      const span = tracer.startSpan(`e2e-span-${i}`, {
        kind: SpanKind.CLIENT,
        attributes: attributesFor(opts, i),
      });
      span.addEvent('e2e.event', {'e2e.seq': i});
      span.end();
    }
    await provider.forceFlush();
    await provider.shutdown();
  } else {
    const {MeterProvider, PeriodicExportingMetricReader} = require('@opentelemetry/sdk-metrics');
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 3600000,
      exportTimeoutMillis: 20000,
    });
    const provider = new MeterProvider({resource, readers: [reader]});
    const meter = provider.getMeter('agentgate-e2e', '1.0.0');
    const counter = meter.createCounter('e2e.requests', {description: 'e2e counter'});
    const histogram = meter.createHistogram('e2e.latency_ms', {unit: 'ms'});
    for (let i = 0; i < opts.count; i++) {
      const attrs = attributesFor(opts, i);
      counter.add(i + 1, attrs);
      histogram.record(i + 0.5, attrs);
    }
    // shutdown() collects and exports once; a forceFlush() before it would export a duplicate.
    await provider.shutdown();
  }

  if (failures.length > 0) {
    console.error(`send.js: ${failures.length} export(s) failed: ${failures[0]}`);
    process.exit(1);
  }
  console.log(`send.js: sent ${opts.count} ${opts.signal} over ${opts.protocol}`);
}

main().catch((err) => {
  console.error(`send.js: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
