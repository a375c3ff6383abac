import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/index.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dspex-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('loadConfig', () => {
  it('reads dspex.config.json from the working directory and applies defaults', async () => {
    const cwd = dirWith({ 'dspex.config.json': JSON.stringify({ programs: './programs.js' }) });
    const { config, programsPath, file } = await loadConfig({ cwd, env: {} });
    expect(file).toBe(join(cwd, 'dspex.config.json'));
    expect(programsPath).toBe(join(cwd, 'programs.js'));
    expect(config.redis).toBeUndefined();
    expect(config.queues).toEqual({ run: 'dspex-run', concurrency: 8 });
    expect(config.admin.host).toBe('127.0.0.1');
  });

  it('lets environment variables override the file', async () => {
    const cwd = dirWith({
      'dspex.config.json': JSON.stringify({ programs: './p.js', redis: { url: 'redis://a:1' } }),
    });
    const { config } = await loadConfig({
      cwd,
      env: {
        DSPEX_REDIS_URL: 'redis://127.0.0.1:6390',
        DSPEX_NODE_ID: 'n7',
        DSPEX_CONCURRENCY: '3',
      },
    });
    expect(config.redis?.url).toBe('redis://127.0.0.1:6390');
    expect(config.redis?.prefix).toBe('dspex');
    expect(config.node.id).toBe('n7');
    expect(config.queues.concurrency).toBe(3);
  });

  it('an empty DSPEX_REDIS_URL switches a Redis config to embedded mode', async () => {
    const cwd = dirWith({
      'dspex.config.json': JSON.stringify({ programs: './p.js', redis: { url: 'redis://a:1' } }),
    });
    const { config } = await loadConfig({ cwd, env: { DSPEX_REDIS_URL: '' } });
    expect(config.redis).toBeUndefined();
  });

  it('loads an ESM config module', async () => {
    const cwd = dirWith({
      'dspex.config.mjs': "export default { programs: '/abs/programs.js', logLevel: 'warn' };",
    });
    const { programsPath, config } = await loadConfig({ cwd, env: {} });
    expect(programsPath).toBe('/abs/programs.js');
    expect(config.logLevel).toBe('warn');
  });

  it('fails with config_not_found when there is no file and no DSPEX_PROGRAMS', async () => {
    const cwd = dirWith({});
    await expect(loadConfig({ cwd, env: {} })).rejects.toMatchObject({ code: 'config_not_found' });
  });

  it('fails with config_not_found for an explicit path that does not exist', async () => {
    await expect(
      loadConfig({ cwd: dirWith({}), configPath: 'nope.json', env: {} }),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('parseConfig', () => {
  it('names every offending path in the error message', () => {
    try {
      parseConfig({ programs: '', queues: { concurrency: 0 }, unknownKey: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as ConfigError).message;
      expect(msg).toContain('programs');
      expect(msg).toContain('queues.concurrency');
      expect(msg).toContain('unknownKey');
      expect((e as ConfigError).code).toBe('invalid_config');
    }
  });
});
