import { describe, expect, it } from 'vitest';
import {
  definePipeline,
  safeDefinePipeline,
  type PipelineSpec,
} from '../../src/transport/index.js';

describe('definePipeline', () => {
  it('orders_a_diamond_topologically_and_finds_roots_and_sinks', () => {
    const p = definePipeline({
      name: 'diamond',
      stages: {
        d: { after: ['b', 'c'] },
        b: { after: ['a'] },
        c: { after: ['a'] },
        a: { after: [] },
      },
    });
    expect(p.stages).toEqual(['a', 'b', 'c', 'd']);
    expect(p.roots).toEqual(['a']);
    expect(p.sinks).toEqual(['d']);
    expect(p.parentsOf('d')).toEqual(['b', 'c']);
    expect(p.childrenOf('a')).toEqual(['b', 'c']);
    expect(p.topologyOf('b')).toEqual({ children: { d: ['b', 'c'] }, sinks: ['d'] });
  });

  it('allows_several_roots_and_sinks', () => {
    const p = definePipeline({
      stages: { x: { after: [] }, y: { after: [] }, z: { after: ['x'] } },
    });
    expect(p.name).toBe('pipeline');
    expect(p.roots).toEqual(['x', 'y']);
    expect(p.sinks).toEqual(['y', 'z']);
  });

  it.each<[string, PipelineSpec, RegExp]>([
    ['no_stages', { stages: {} }, /no stages/],
    [
      'unknown_parent',
      { stages: { a: { after: ['ghost'] } } } as PipelineSpec,
      /unknown stage "ghost"/,
    ],
    ['self_dependency', { stages: { a: { after: ['a'] } } }, /after itself/],
    [
      'duplicate_parent',
      { stages: { a: { after: [] }, b: { after: ['a', 'a'] } } },
      /parent twice/,
    ],
    [
      'cycle',
      {
        stages: { a: { after: ['c'] }, b: { after: ['a'] }, c: { after: ['b'] }, r: { after: [] } },
      },
      /cycle through a, b, c/,
    ],
    ['bad_stage_name', { stages: { 'a.b': { after: [] } } }, /stage name/],
    ['bad_pipeline_name', { name: 'my pipeline', stages: { a: { after: [] } } }, /pipeline name/],
  ])('rejects_%s', (_label, spec, message) => {
    const result = safeDefinePipeline(spec);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_options');
      expect(result.error.message).toMatch(message);
    }
    expect(() => definePipeline(spec)).toThrow(message);
  });
});
