import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const FOLDERS =
  'src|test|examples|bench|supervisors|actors|services|entry|bin|scripts|config|\\.ci';

describe('README', () => {
  it('refers only to files and folders that exist in the repository', () => {
    const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const paths = new Set(
      [...text.matchAll(new RegExp(`(?<![\\w./-])(?:${FOLDERS})/[\\w./-]*[\\w/]`, 'g'))]
        .map((m) => m[0])
        .filter((p) => !p.includes('*')),
    );
    expect(paths.size).toBeGreaterThan(10);
    expect([...paths].filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });
});
