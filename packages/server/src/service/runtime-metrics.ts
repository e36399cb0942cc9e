/**
 * Process and Node.js runtime metrics for /metrics, under the names prom-client's default
 * collectors use (so existing dashboards work): CPU, memory, file descriptors, start time, heap,
 * event-loop lag, active handles and the Node.js version. Read from Node's own APIs at scrape
 * time; nothing is sampled in between except the event-loop delay histogram.
 */
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

interface Sample {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  value: number;
  labels?: string;
}

const START_SECONDS = Math.round(Date.now() / 1000 - process.uptime());

/** Open file descriptors (Linux: /proc/self/fd); undefined where that cannot be read. */
function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1; // minus the one readdir itself opened
  } catch {
    return undefined;
  }
}

export class RuntimeMetrics {
  readonly #loopDelay = monitorEventLoopDelay({ resolution: 20 });

  constructor() {
    this.#loopDelay.enable();
  }

  /** Stops the event-loop sampler (the service's close). */
  stop(): void {
    this.#loopDelay.disable();
  }

  samples(): Sample[] {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const fds = openFds();
    const delay = this.#loopDelay;
    const seconds = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    return [
      {
        name: 'process_cpu_user_seconds_total',
        help: 'User CPU time spent in seconds.',
        type: 'counter',
        value: cpu.user / 1e6,
      },
      {
        name: 'process_cpu_system_seconds_total',
        help: 'System CPU time spent in seconds.',
        type: 'counter',
        value: cpu.system / 1e6,
      },
      {
        name: 'process_resident_memory_bytes',
        help: 'Resident memory size in bytes.',
        type: 'gauge',
        value: memory.rss,
      },
      {
        name: 'process_start_time_seconds',
        help: 'Start time of the process since unix epoch in seconds.',
        type: 'gauge',
        value: START_SECONDS,
      },
      ...(fds === undefined
        ? []
        : [
            {
              name: 'process_open_fds',
              help: 'Number of open file descriptors.',
              type: 'gauge' as const,
              value: fds,
            },
          ]),
      {
        name: 'nodejs_heap_size_total_bytes',
        help: 'Process heap size from Node.js in bytes.',
        type: 'gauge',
        value: memory.heapTotal,
      },
      {
        name: 'nodejs_heap_size_used_bytes',
        help: 'Process heap size used from Node.js in bytes.',
        type: 'gauge',
        value: memory.heapUsed,
      },
      {
        name: 'nodejs_external_memory_bytes',
        help: 'Node.js external memory size in bytes.',
        type: 'gauge',
        value: memory.external,
      },
      {
        name: 'nodejs_eventloop_lag_p99_seconds',
        help: 'The 99th percentile of the recorded event loop delays.',
        type: 'gauge',
        value: seconds(delay.percentile(99)),
      },
      {
        name: 'nodejs_eventloop_lag_max_seconds',
        help: 'The maximum recorded event loop delay.',
        type: 'gauge',
        value: seconds(delay.max),
      },
      {
        name: 'nodejs_active_resources_total',
        help: 'Number of active resources keeping the event loop alive.',
        type: 'gauge',
        value: process.getActiveResourcesInfo().length,
      },
      {
        name: 'nodejs_version_info',
        help: 'Node.js version info.',
        type: 'gauge',
        value: 1,
        labels: `{version="${process.version}"}`,
      },
    ];
  }

  render(): string[] {
    return this.samples().flatMap((s) => [
      `# HELP ${s.name} ${s.help}`,
      `# TYPE ${s.name} ${s.type}`,
      `${s.name}${s.labels ?? ''} ${s.value}`,
    ]);
  }
}
