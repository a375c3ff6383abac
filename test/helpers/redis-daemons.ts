/**
 * The shared setup of the tests that run `dspex start` processes in Redis mode against the OpenAI
 * wire fixture: the fixture, the environment that points the programs' LM at it through the SDK,
 * and one daemon per node id, each in a project folder of its own on the test's Redis and prefix.
 */
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import {
  cleanEnv,
  projectDir,
  startDaemonProcess,
  type DaemonProcess,
} from '../cli/cli-process.js';

/** The OpenAI wire fixture and a clean environment whose LM is it (`OPENAI_BASE_URL`). */
export interface FixtureEnv {
  fixture: LMFixture;
  env: NodeJS.ProcessEnv;
}

/** Starts the OpenAI wire fixture; the environment sends the example programs' LM calls to it. */
export async function startFixtureEnv(): Promise<FixtureEnv> {
  const fixture = await startOpenAIFixture();
  return { fixture, env: cleanEnv({ OPENAI_BASE_URL: fixture.url, OPENAI_API_KEY: 'test-key' }) };
}

/** Options of {@link startRedisDaemons}. */
export interface RedisDaemonsOptions {
  redisUrl: string;
  prefix: string;
  /** One daemon per id (config `node.id`). */
  nodeIds: readonly string[];
  /** Config every daemon gets besides `redis` and `node` (programs, admin, shutdown, …). */
  config?: Record<string, unknown>;
  /** The environment of the daemons (default: a fresh fixture's, see {@link startFixtureEnv}). */
  env?: FixtureEnv;
}

/** Running daemons and their LM fixture; {@link close} kills the daemons and closes the fixture. */
export interface RedisDaemons extends FixtureEnv {
  readonly daemons: readonly DaemonProcess[];
  /** `--redis URL --prefix PREFIX`, for CLI commands aimed at these daemons' cluster. */
  readonly redisArgs: string[];
  close(): Promise<void>;
}

/**
 * Starts one `dspex start` process per node id (`admin.port` 0 unless `config.admin` says else)
 * and resolves once every one has printed `dspex daemon started`. On a failed start it stops what
 * it started before rethrowing.
 */
export async function startRedisDaemons(options: RedisDaemonsOptions): Promise<RedisDaemons> {
  const { fixture, env } = options.env ?? (await startFixtureEnv());
  const daemons = options.nodeIds.map((id) =>
    startDaemonProcess(
      projectDir({
        admin: { port: 0 },
        ...options.config,
        redis: { url: options.redisUrl, prefix: options.prefix },
        node: { id },
      }),
      env,
    ),
  );
  const close = async () => {
    for (const d of daemons) d.kill();
    await fixture.close();
  };
  try {
    await Promise.all(daemons.map((d) => d.waitForOutput('dspex daemon started')));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    fixture,
    env,
    daemons,
    redisArgs: ['--redis', options.redisUrl, '--prefix', options.prefix],
    close,
  };
}
