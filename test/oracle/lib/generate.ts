/**
 * Random valid scenarios for the differential test, inside the determinism rules of
 * oracle/README.md §5: supchildren keep shutdown=infinity, obedient workers get generous
 * timeouts, deaf workers short ones, a simple_one_for_one supervisor gets at most one dynamic
 * child, and time only leaves the intensity window through `sleep 2100` with period=1 (no deaf
 * workers then, so bursts stay well under a second).
 */

/** A source of uniform numbers in [0, 1). */
export type Rand = () => number;

/** A deterministic Rand from a list of integers (e.g. drawn by fast-check). */
export function randFrom(ints: readonly number[]): Rand {
  let i = 0;
  let x = 0x9e3779b9;
  return () => {
    x = (Math.imul(x ^ (ints[i++ % Math.max(1, ints.length)] ?? 0), 0x85ebca6b) + i) >>> 0;
    x = (x ^ (x >>> 13)) >>> 0;
    x = Math.imul(x, 0xc2b2ae35) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    return x / 0x1_0000_0000;
  };
}

const STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one'] as const;
const REASONS = ['boom', 'normal', 'shutdown', '{shutdown,bye}', 'killed', '[1,{x}]', '-3', 'kill'];

interface SupInfo {
  id: string;
  strategy: string;
  auto: string;
  period: number;
  dynStarted: boolean;
  template?: string;
}

export function generateScenario(r: Rand): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const int = (a: number, b: number): number => a + Math.floor(r() * (b - a + 1));
  const chance = (p: number): boolean => r() < p;

  const fast = chance(0.35); // period=1 scenario that may sleep past the window
  const lines: string[] = [];
  const sups: SupInfo[] = [];
  const workers: string[] = [];
  const allIds: string[] = [];
  let counter = 0;
  let deafUsed = false;
  const fresh = (prefix: string): string => `${prefix}${++counter}`;

  const supFlags = (strategy: string, auto: string, period: number): string => {
    const parts = [`strategy=${strategy}`, `intensity=${int(0, 3)}`, `period=${period}`];
    if (auto !== 'never' || chance(0.2)) parts.push(`auto_shutdown=${auto}`);
    return parts.join(' ');
  };

  const restartOf = new Map<string, string>();
  const childAttrs = (sup: SupInfo, dynamicDefaults: boolean, id?: string): string[] => {
    const a: string[] = [];
    const restart = pick(['permanent', 'permanent', 'transient', 'temporary']);
    if (id !== undefined) restartOf.set(id, restart);
    if (restart !== 'permanent' || chance(0.3)) a.push(`restart=${restart}`);
    if (sup.auto !== 'never' && restart !== 'permanent' && chance(0.6)) a.push('significant=true');
    const deaf = !fast && chance(0.15);
    if (deaf) {
      deafUsed = true;
      a.push(pick(['shutdown=100', 'shutdown=150', 'shutdown=brutal_kill']), 'deaf=true');
    } else {
      const sh = pick(['', '', 'brutal_kill', '1000', 'infinity']);
      if (sh !== '') a.push(`shutdown=${sh}`);
    }
    if (chance(0.2)) a.push(`fail_on=${pick(['2', '3', '2,3', '2,3,4', '1'])}`);
    if (chance(0.1)) a.push(`ignore_on=${pick(['1', '2', '3'])}`);
    if (dynamicDefaults) return a;
    return a;
  };

  const rootStrategy = pick([...STRATEGIES, 'one_for_one', 'rest_for_one']);
  const rootAuto = pick(['never', 'never', 'never', 'any_significant', 'all_significant']);
  const period = fast ? 1 : 5;
  const root: SupInfo = {
    id: 'root',
    strategy: rootStrategy,
    auto: rootAuto,
    period,
    dynStarted: false,
  };
  sups.push(root);
  lines.push(`sup ${supFlags(rootStrategy, rootAuto, period)}`);

  const declare = (sup: SupInfo, depth: number): void => {
    const parentAttr = sup.id === 'root' ? [] : [`parent=${sup.id}`];
    if (sup.strategy === 'simple_one_for_one') {
      const id = fresh('tpl');
      sup.template = id;
      allIds.push(id);
      lines.push(['child', id, ...childAttrs(sup, true), ...parentAttr].join(' '));
      return;
    }
    const n = int(1, depth === 0 ? 4 : 3);
    for (let i = 0; i < n; i++) {
      if ((depth === 0 && chance(0.25)) || (depth === 1 && chance(0.12))) {
        const id = fresh('sub');
        const strategy = pick([...STRATEGIES, 'one_for_one']);
        const auto = pick(['never', 'never', 'any_significant', 'all_significant']);
        const info: SupInfo = { id, strategy, auto, period, dynStarted: false };
        const a = [`strategy=${strategy}`, `intensity=${int(0, 2)}`, `period=${period}`];
        if (auto !== 'never') a.push(`auto_shutdown=${auto}`);
        const restart = pick(['permanent', 'permanent', 'transient', 'temporary']);
        if (restart !== 'permanent') a.push(`restart=${restart}`);
        if (sup.auto !== 'never' && restart !== 'permanent' && chance(0.5))
          a.push('significant=true');
        if (chance(0.1)) a.push(`fail_on=${pick(['2', '3'])}`);
        lines.push(['supchild', id, ...a, ...parentAttr].join(' '));
        allIds.push(id);
        sups.push(info);
        declare(info, depth + 1);
      } else {
        const id = fresh('w');
        workers.push(id);
        allIds.push(id);
        lines.push(['child', id, ...childAttrs(sup, false, id), ...parentAttr].join(' '));
      }
    }
  };
  declare(root, 0);

  const nActions = int(2, fast ? 6 : 8);
  for (let i = 0; i < nActions; i++) {
    const k = r();
    if (k < 0.4 && workers.length > 0) {
      // a rough model of who is still running keeps most crashes on live workers
      const id = pick(workers);
      const reason = pick(REASONS);
      const restart = restartOf.get(id) ?? 'permanent';
      const normal = ['normal', 'shutdown', '{shutdown,bye}'].includes(reason);
      if (restart === 'temporary' || (restart === 'transient' && normal))
        workers.splice(workers.indexOf(id), 1);
      lines.push(`crash ${id} ${reason}`);
    } else if (k < 0.55) {
      const op = pick(['terminate_child', 'restart_child', 'delete_child']);
      const id = pick([...allIds, 'nosuch']);
      if (op === 'terminate_child' && workers.includes(id)) workers.splice(workers.indexOf(id), 1);
      if (
        op === 'restart_child' &&
        allIds.includes(id) &&
        !workers.includes(id) &&
        !sups.some((x) => x.id === id)
      )
        workers.push(id);
      lines.push(`${op} ${id}`);
    } else if (k < 0.72) {
      const sup = pick(sups);
      const parentAttr = sup.id === 'root' ? [] : [`parent=${sup.id}`];
      if (sup.strategy === 'simple_one_for_one') {
        if (sup.dynStarted) continue;
        sup.dynStarted = true;
        const tag = fresh('d');
        workers.push(tag);
        const a: string[] = [];
        if (chance(0.2)) a.push(`fail_on=${pick(['1', '2', '2,3'])}`);
        if (chance(0.1)) a.push(`ignore_on=${pick(['1', '2'])}`);
        lines.push(['start_child', tag, ...a, ...parentAttr].join(' '));
      } else {
        const id = chance(0.15) && workers.length > 0 ? pick(workers) : fresh('n');
        if (!workers.includes(id)) workers.push(id);
        allIds.push(id);
        lines.push(['start_child', id, ...childAttrs(sup, false, id), ...parentAttr].join(' '));
      }
    } else if (k < 0.8) {
      lines.push(pick(['which_children', 'count_children', `alive ${pick(sups).id}`]));
    } else if (k < 0.88 && fast && !deafUsed) {
      lines.push('sleep 2100');
    } else if (k < 0.88 && !fast) {
      lines.push(`sleep ${pick(['10', '100', '250'])}`);
    } else if (workers.length > 0) {
      lines.push(`crash ${pick(workers)} boom`);
    }
  }
  const end = r();
  if (end < 0.5) lines.push('final');
  else if (end < 0.7) lines.push('stop');
  return lines.join('\n') + '\n';
}
