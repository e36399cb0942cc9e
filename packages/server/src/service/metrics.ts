/**
 * The service's Prometheus metrics (text exposition format 0.0.4), kept dependency-free: a few
 * counters, gauges and fixed-bucket histograms are all /metrics needs.
 */
import { RuntimeMetrics } from './runtime-metrics.ts';

type Labels = Record<string, string>;

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${escape(labels[k]!)}"`).join(',')}}`;
};

interface Metric {
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  readonly name: string;
  readonly help: string;
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels)) ?? 0;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [k, v] of this.values) lines.push(`${this.name}${k} ${v}`);
    return lines;
  }
}

export class Gauge implements Metric {
  readonly name: string;
  readonly help: string;
  private readonly read: () => number;
  constructor(name: string, help: string, read: () => number) {
    this.name = name;
    this.help = help;
    this.read = read;
  }
  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} gauge`,
      `${this.name} ${this.read()}`,
    ];
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<
    string,
    { counts: number[]; sum: number; count: number; labels: Labels }
  >();
  readonly name: string;
  readonly help: string;
  readonly buckets: readonly number[];
  constructor(name: string, help: string, buckets: readonly number[]) {
    this.name = name;
    this.help = help;
    this.buckets = buckets;
  }
  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0, labels };
      this.series.set(key, s);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i]!++;
    });
    s.sum += value;
    s.count++;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        lines.push(
          `${this.name}_bucket${labelText({ ...s.labels, le: String(b) })} ${s.counts[i]}`,
        );
      });
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000];

export class ServiceMetrics {
  readonly appends = new Counter('notarize_appends_total', 'Append requests acknowledged (201).');
  readonly appendEntries = new Counter('notarize_append_entries_total', 'Entries appended.');
  readonly appendBatch = new Histogram(
    'notarize_append_batch_size',
    'Entries per append request.',
    BATCH_BUCKETS,
  );
  readonly appendLatency = new Histogram(
    'notarize_append_duration_seconds',
    'Time from request to durable, checkpointed acknowledgement.',
    LATENCY_BUCKETS,
  );
  readonly requests = new Counter(
    'notarize_http_requests_total',
    'HTTP requests by route and status.',
  );
  readonly latency = new Histogram(
    'notarize_http_request_duration_seconds',
    'HTTP request latency by route.',
    LATENCY_BUCKETS,
  );
  readonly errors = new Counter('notarize_errors_total', 'Error responses by code.');
  readonly authFailures = new Counter(
    'notarize_auth_failures_total',
    'Refused credentials and actions (401/403) by response code and reason (AUTH_* code).',
  );
  readonly blobBytes = new Counter('notarize_blob_bytes_total', 'Blob bytes stored.');
  private readonly gauges: Gauge[];
  readonly runtime = new RuntimeMetrics();

  constructor(treeSize: () => number, inflight: () => number, queued: () => number) {
    this.gauges = [
      new Gauge('notarize_tree_size', 'Size of the latest checkpointed tree.', treeSize),
      new Gauge('notarize_inflight_requests', 'Requests being handled.', inflight),
      new Gauge('notarize_queued_appends', 'Append requests waiting for the sequencer.', queued),
    ];
  }

  render(): string {
    const all: Metric[] = [
      this.appends,
      this.appendEntries,
      this.appendBatch,
      this.appendLatency,
      this.requests,
      this.latency,
      this.errors,
      this.blobBytes,
      this.authFailures,
      ...this.gauges,
      this.runtime,
    ];
    return `${all.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
