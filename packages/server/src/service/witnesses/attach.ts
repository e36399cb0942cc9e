/**
 * Attaches a WitnessCollector to a service backend: every committed append pokes it (without
 * waiting for it), and the collector reads checkpoints and proofs from the same backend.
 */
import type { ServiceBackend } from '../backend.ts';
import type { Logger } from '../logger.ts';
import { WitnessCollector } from './collector.ts';
import type { WitnessCollectorConfig } from './config.ts';

export function attachWitnesses(
  backend: ServiceBackend,
  config: WitnessCollectorConfig,
  logger: Logger,
): { backend: ServiceBackend; collector: WitnessCollector } {
  const collector = new WitnessCollector(backend, config, logger);
  const append: ServiceBackend['append'] = async (entries) => {
    const result = await backend.append(entries);
    collector.poke();
    return result;
  };
  const close = async () => {
    await collector.close();
    await backend.close();
  };
  // A proxy, not a prototype copy: the backend's methods use its private fields.
  const hooked = new Proxy(backend, {
    get(target, prop) {
      if (prop === 'append') return append;
      if (prop === 'close') return close;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { backend: hooked, collector };
}
