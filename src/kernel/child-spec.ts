import { z } from 'zod';
import type { Pid } from './process.js';
import type { Kernel } from './kernel.js';
import type { SupervisorProcess } from './supervisor.js';
import type { Term } from './term.js';
import { formatTerm, opaque, tuple } from './term.js';
import { KernelError } from './errors.js';

/** Restart strategy of a supervisor (OTP names). */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';
/** When a terminated child is restarted. */
export type RestartType = 'permanent' | 'transient' | 'temporary';
/** How a child is stopped: kill at once, wait forever, or ask then kill after N ms. */
export type Shutdown = number | 'brutal_kill' | 'infinity';
/** Automatic supervisor shutdown when significant children exit by themselves (OTP 24+). */
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';
/** Worker or supervisor (only changes the default shutdown and the counts). */
export type ChildType = 'worker' | 'supervisor';

/** Context handed to a start function (it runs "inside" the supervisor, like OTP's). */
export interface StartContext {
  readonly kernel: Kernel;
  /** The supervisor starting the child (undefined for `kernel.spawn`). */
  readonly supervisor: SupervisorProcess | undefined;
  /** The child spec id (the template id under simple_one_for_one). */
  readonly id: string;
}

/** A start failure: OTP's `{error, Reason}`. */
export interface StartError {
  readonly error: Term;
}

/** What a start function returns: OTP's `{ok, Pid}`, `ignore` or `{error, Reason}`. */
export type StartOutcome = Pid | 'ignore' | StartError;

/**
 * Creates (and returns the pid of) the child process. Extra arguments come from
 * `startChild(args)` under simple_one_for_one and are reused by its restarts.
 */
export type StartFunction = (
  ctx: StartContext,
  ...args: readonly unknown[]
) => StartOutcome | Promise<StartOutcome>;

/** Supervisor flags; every omitted field takes the OTP default from {@link DEFAULT_FLAGS}. */
export interface SupervisorFlags {
  strategy?: Strategy;
  /** Maximum restarts within `period` seconds (default 1). */
  intensity?: number;
  /** Window length in whole seconds (default 5). */
  period?: number;
  autoShutdown?: AutoShutdown;
  /** simple_one_for_one only: `startChild` beyond this answers `{error, max_children}`. */
  maxChildren?: number;
}

/** A child specification; omitted fields take the defaults of {@link DEFAULT_CHILD_SPEC}. */
export interface ChildSpec {
  id: string;
  start: StartFunction;
  restart?: RestartType;
  /** ms, `'brutal_kill'` or `'infinity'`; default 5000 for workers, `'infinity'` for supervisors. */
  shutdown?: Shutdown;
  type?: ChildType;
  significant?: boolean;
  /** Registered name: `whereis(name)` follows restarts to the current instance. */
  name?: string;
}

/** Flags with every default applied. */
export type ResolvedFlags = Required<SupervisorFlags>;
/** A child spec with every default applied. */
export type ResolvedChildSpec = Required<Omit<ChildSpec, 'name'>> & { name: string | undefined };

/** OTP's default flags: one_for_one, 1 restart in 5 s, no auto shutdown. */
export const DEFAULT_FLAGS: Readonly<ResolvedFlags> = Object.freeze({
  strategy: 'one_for_one',
  intensity: 1,
  period: 5,
  autoShutdown: 'never',
  maxChildren: Number.POSITIVE_INFINITY,
});

/** OTP's default child spec fields (shutdown depends on the type: see {@link defaultShutdown}). */
export const DEFAULT_CHILD_SPEC = Object.freeze({
  restart: 'permanent' as RestartType,
  type: 'worker' as ChildType,
  significant: false,
});

/** 5000 ms for workers, `infinity` for supervisors (OTP). */
export function defaultShutdown(type: ChildType): Shutdown {
  return type === 'supervisor' ? 'infinity' : 5000;
}

const strategySchema = z.enum(['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one']);
const nonNegInt = z.number().int().min(0);
const posInt = z.number().int().min(1);
const autoShutdownSchema = z.enum(['never', 'any_significant', 'all_significant']);
const restartSchema = z.enum(['permanent', 'transient', 'temporary']);
const typeSchema = z.enum(['worker', 'supervisor']);
const shutdownSchema = z.union([nonNegInt, z.literal('brutal_kill'), z.literal('infinity')]);
const idSchema = z.string().min(1);
const maxChildrenSchema = z.union([nonNegInt, z.literal(Number.POSITIVE_INFINITY)]);

/** A JS value as a term for an error reason (strings as atoms, numbers as integers). */
function valueTerm(v: unknown): Term {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return v;
  if (v === undefined) return 'undefined';
  return opaque(typeof v === 'number' ? String(v) : typeof v);
}

/** Result of a validation: the resolved value or an OTP-style reason naming the bad value. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: Term };

/** Validates flags like OTP's `check_flags` (`{invalid_strategy, X}`, `{invalid_intensity, X}`, …). */
export function checkFlags(flags: SupervisorFlags): Checked<ResolvedFlags> {
  const f = { ...DEFAULT_FLAGS, ...stripUndefined(flags) };
  if (!strategySchema.safeParse(f.strategy).success)
    return { ok: false, error: tuple('invalid_strategy', valueTerm(f.strategy)) };
  if (!nonNegInt.safeParse(f.intensity).success)
    return { ok: false, error: tuple('invalid_intensity', valueTerm(f.intensity)) };
  if (!posInt.safeParse(f.period).success)
    return { ok: false, error: tuple('invalid_period', valueTerm(f.period)) };
  if (!autoShutdownSchema.safeParse(f.autoShutdown).success)
    return { ok: false, error: tuple('invalid_auto_shutdown', valueTerm(f.autoShutdown)) };
  if (!maxChildrenSchema.safeParse(f.maxChildren).success)
    return { ok: false, error: tuple('invalid_max_children', valueTerm(f.maxChildren)) };
  return { ok: true, value: f };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Validates one child spec like OTP's `check_childspec`, in OTP's order: id, start, restart,
 * significant (+ `bad_combination` with permanent or `autoShutdown: 'never'`), type, shutdown.
 */
export function checkChildSpec(
  spec: ChildSpec,
  autoShutdown: AutoShutdown,
): Checked<ResolvedChildSpec> {
  const s = stripUndefined(spec);
  if (!idSchema.safeParse(s.id).success) return { ok: false, error: 'missing_id' };
  if (typeof s.start !== 'function')
    return { ok: false, error: tuple('invalid_mfa', valueTerm(s.start)) };
  const restart = s.restart ?? DEFAULT_CHILD_SPEC.restart;
  if (!restartSchema.safeParse(restart).success)
    return { ok: false, error: tuple('invalid_restart_type', valueTerm(restart)) };
  const significant = s.significant ?? DEFAULT_CHILD_SPEC.significant;
  if (significant === true && autoShutdown === 'never')
    return {
      ok: false,
      error: tuple('bad_combination', [
        tuple('auto_shutdown', 'never'),
        tuple('significant', 'true'),
      ]),
    };
  if (significant === true && restart === 'permanent')
    return {
      ok: false,
      error: tuple('bad_combination', [
        tuple('restart', 'permanent'),
        tuple('significant', 'true'),
      ]),
    };
  if (typeof significant !== 'boolean')
    return { ok: false, error: tuple('invalid_significant', valueTerm(significant)) };
  const type = s.type ?? DEFAULT_CHILD_SPEC.type;
  if (!typeSchema.safeParse(type).success)
    return { ok: false, error: tuple('invalid_child_type', valueTerm(type)) };
  const shutdown = s.shutdown ?? defaultShutdown(type);
  if (!shutdownSchema.safeParse(shutdown).success)
    return { ok: false, error: tuple('invalid_shutdown', valueTerm(shutdown)) };
  if (s.name !== undefined && !idSchema.safeParse(s.name).success)
    return { ok: false, error: tuple('invalid_name', valueTerm(s.name)) };
  return {
    ok: true,
    value: {
      id: s.id as string,
      start: s.start,
      restart,
      significant,
      type,
      shutdown,
      name: s.name,
    },
  };
}

/**
 * Validates a whole start spec: each child, then unique ids (`{duplicate_child_name, Id}`, the
 * name OTP kept for compatibility); simple_one_for_one needs exactly one spec.
 */
export function checkStartSpec(
  specs: readonly ChildSpec[],
  flags: ResolvedFlags,
): Checked<ResolvedChildSpec[]> {
  if (flags.strategy === 'simple_one_for_one' && specs.length !== 1)
    return {
      ok: false,
      error: tuple(
        'bad_start_spec',
        specs.map((s) => valueTerm(s.id)),
      ),
    };
  const out: ResolvedChildSpec[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    const c = checkChildSpec(spec, flags.autoShutdown);
    if (!c.ok) return { ok: false, error: tuple('start_spec', c.error) };
    if (seen.has(c.value.id))
      return { ok: false, error: tuple('start_spec', tuple('duplicate_child_name', c.value.id)) };
    seen.add(c.value.id);
    out.push(c.value);
  }
  return { ok: true, value: out };
}

/** Throwing form of {@link checkFlags}: a `KernelError` with code `invalid_flags`. */
export function parseFlags(flags: SupervisorFlags): ResolvedFlags {
  const c = checkFlags(flags);
  if (c.ok) return c.value;
  throw new KernelError('invalid_flags', `invalid supervisor flags: ${formatTerm(c.error)}`, {
    details: { reason: c.error },
  });
}

/** Throwing form of {@link checkChildSpec}: a `KernelError` with code `invalid_child_spec`. */
export function parseChildSpec(
  spec: ChildSpec,
  autoShutdown: AutoShutdown = 'never',
): ResolvedChildSpec {
  const c = checkChildSpec(spec, autoShutdown);
  if (c.ok) return c.value;
  throw new KernelError('invalid_child_spec', `invalid child spec: ${formatTerm(c.error)}`, {
    details: { reason: c.error },
  });
}
