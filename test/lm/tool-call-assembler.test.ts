import { describe, expect, it } from 'vitest';
import { ToolCallAssembler, type LMStreamChunk } from '../../src/lm/index.js';

type Piece = Extract<LMStreamChunk, { type: 'tool_call' }>;
const piece = (index: number, callIndex: number, toolCall: Piece['toolCall']): Piece => ({
  type: 'tool_call',
  index,
  callIndex,
  toolCall,
});

describe('ToolCallAssembler', () => {
  it('appends argument pieces per call and reports a call when the next one starts', () => {
    const a = new ToolCallAssembler();
    expect(a.add(piece(0, 0, { id: 'c1', name: 'lookup', arguments: '' }))).toEqual([]);
    expect(a.add(piece(0, 0, { arguments: '{"q":' }))).toEqual([]);
    expect(a.add(piece(0, 0, { arguments: '"a"}' }))).toEqual([]);
    expect(a.add(piece(0, 1, { id: 'c2', name: 'noop' }))).toEqual([
      { index: 0, callIndex: 0, call: { id: 'c1', name: 'lookup', arguments: '{"q":"a"}' } },
    ]);
    // A call that streamed no arguments ends with an empty object.
    expect(a.finish()).toEqual([
      { index: 0, callIndex: 1, call: { id: 'c2', name: 'noop', arguments: '{}' } },
    ]);
    expect(a.finish()).toEqual([]);
  });

  it('keeps the calls of different choices apart', () => {
    const a = new ToolCallAssembler();
    a.add(piece(1, 0, { id: 'x', name: 'f', arguments: '{"n":1}' }));
    expect(a.add(piece(0, 0, { id: 'y', name: 'g', arguments: '{"n":2}' }))).toEqual([]);
    expect(a.finish().map((c) => [c.index, c.call.id])).toEqual([
      [0, 'y'],
      [1, 'x'],
    ]);
  });
});
