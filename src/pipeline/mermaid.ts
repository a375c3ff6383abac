import {
  CheckOutputs,
  Module,
  StrategyModule,
  isPredictor,
  type Predictor,
} from '../modules/index.js';
import { Fallback } from './fallback.js';
import { Pipeline } from './pipeline.js';

/** Options of {@link toMermaid}. */
export interface MermaidOptions {
  /** Flow direction (default `TD`, top-down). */
  direction?: 'TD' | 'LR';
  /** Show each predictor's signature (`question -> answer`) in its box (default true). */
  signatures?: boolean;
}

/** Entry node and exit nodes of a rendered piece (the next stage links from every exit). */
interface Piece {
  entry: string;
  exits: string[];
}

const SHAPES = {
  box: ['["', '"]'],
  round: ['("', '")'],
  stadium: ['(["', '"])'],
  hexagon: ['{{"', '"}}'],
  diamond: ['{"', '"}'],
  circle: ['(("', '"))'],
} as const;

/** Label text for Mermaid: quotes and angle brackets as entities, line breaks as `<br/>`. */
function escape(text: string): string {
  return text
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\n/g, '<br/>');
}

function signatureOf(predictor: Predictor): string {
  const sig = predictor.signature;
  const names = (fields: readonly { name: string }[]): string =>
    fields.map((f) => f.name).join(', ');
  return `${names(sig.inputFields)} → ${names(sig.outputFields)}`;
}

class MermaidWriter {
  readonly lines: string[] = [];
  #next = 0;

  constructor(private readonly options: Required<MermaidOptions>) {}

  node(label: string, shape: keyof typeof SHAPES = 'box', indent = '  '): string {
    const id = `n${this.#next++}`;
    const [open, close] = SHAPES[shape];
    this.lines.push(`${indent}${id}${open}${escape(label)}${close}`);
    return id;
  }

  edge(from: string, to: string, label?: string, dashed = false): void {
    const arrow = dashed ? '-.->' : '-->';
    this.lines.push(`  ${from} ${arrow}${label === undefined ? '' : `|${escape(label)}|`} ${to}`);
  }

  subgraph(title: string, body: () => void): void {
    const id = `g${this.#next++}`;
    this.lines.push(`  subgraph ${id}["${escape(title)}"]`);
    body();
    this.lines.push('  end');
  }

  /**
   * A leaf module: its class (a StrategyModule: the strategy it runs now, marked), and its
   * predictor's signature when it has one.
   */
  leaf(label: string, module: Module): string {
    const predictors = module.namedPredictors();
    const first = predictors[0]?.[1];
    const cls =
      module instanceof StrategyModule
        ? `${module.impl.constructor.name} (strategy)`
        : module.constructor.name;
    const sig =
      this.options.signatures && first !== undefined && predictors.length === 1
        ? `\n${signatureOf(first)}`
        : '';
    return this.node(`${label}: ${cls}${sig}`, 'round');
  }

  module(label: string, module: Module): Piece {
    if (module instanceof Pipeline) return this.pipeline(label, module);
    if (module instanceof Fallback) return this.fallback(label, module);
    if (module instanceof CheckOutputs) {
      const inner = this.module(label, module.module);
      const check = this.node(`check ${label} (retries ${module.maxRetries})`, 'hexagon');
      for (const exit of inner.exits) this.edge(exit, check);
      return { entry: inner.entry, exits: [check] };
    }
    const subs = Object.entries(module).filter(
      ([, v]) => v instanceof Module && !isPredictor(module),
    ) as [string, Module][];
    if (isPredictor(module) || module instanceof StrategyModule || subs.length <= 1) {
      const id = this.leaf(label, module);
      return { entry: id, exits: [id] };
    }
    // A composite module: its sub-modules inside one box (their call order is code, not data).
    let id = '';
    this.subgraph(`${label}: ${module.constructor.name}`, () => {
      id = this.node(module.constructor.name, 'stadium', '    ');
      for (const [name, sub] of subs) this.edge(id, this.module(`${label}.${name}`, sub).entry);
    });
    return { entry: id, exits: [id] };
  }

  fallback(label: string, module: Fallback): Piece {
    const pieces = module.attempts.map((m, i) => this.module(`${label}#${i + 1}`, m));
    pieces.forEach((p, i) => {
      const next = pieces[i + 1];
      if (next !== undefined)
        for (const exit of p.exits) this.edge(exit, next.entry, 'on failure', true);
    });
    return { entry: (pieces[0] as Piece).entry, exits: pieces.flatMap((p) => p.exits) };
  }

  pipeline(label: string, p: Pipeline): Piece {
    const entry = this.node(`${label} inputs`, 'stadium');
    let exits = [entry];
    const link = (piece: Piece, edgeLabel?: string): void => {
      for (const exit of exits) this.edge(exit, piece.entry, edgeLabel);
    };
    for (const stage of p.stageViews()) {
      if (stage.kind === 'transform' || stage.kind === 'validate') {
        const id = this.node(
          `${stage.name}: ${stage.kind}`,
          stage.kind === 'validate' ? 'hexagon' : 'box',
        );
        link({ entry: id, exits: [id] });
        exits = [id];
      } else if (stage.kind === 'predict') {
        const piece = this.module(stage.name, stage.module as Module);
        link(piece);
        exits = piece.exits;
      } else {
        const fork = this.node(
          `${stage.name}: ${stage.kind}`,
          stage.kind === 'branch' ? 'diamond' : 'circle',
        );
        link({ entry: fork, exits: [fork] });
        const join = this.node(
          stage.kind === 'branch' ? `${stage.name} end` : `${stage.name} join`,
          'circle',
        );
        for (const [arm, sub] of Object.entries(stage.arms ?? {})) {
          let piece: Piece = { entry: '', exits: [] };
          this.subgraph(`${stage.name}['${arm}']`, () => {
            piece = this.pipeline(`${stage.name}['${arm}']`, sub);
          });
          this.edge(fork, piece.entry, stage.kind === 'branch' ? arm : undefined);
          for (const exit of piece.exits) this.edge(exit, join);
        }
        exits = [join];
      }
    }
    return { entry, exits };
  }
}

/**
 * A Mermaid flowchart of a program: a {@link Pipeline}'s stages in order (branch arms and parallel
 * branches as subgraphs, fallbacks as dashed "on failure" edges, checks as hexagons), or any other
 * module's sub-modules with each predictor's signature. Paste into any Mermaid renderer (GitHub
 * Markdown, mermaid.live); `dspex graph <program>` prints the same text.
 *
 * @example
 * ```ts
 * console.log(toMermaid(triage));
 * // flowchart TD
 * //   n0(["triage inputs"])
 * //   n1["clean: transform"]
 * //   …
 * ```
 */
export function toMermaid(program: Module, options: MermaidOptions = {}): string {
  const writer = new MermaidWriter({
    direction: options.direction ?? 'TD',
    signatures: options.signatures ?? true,
  });
  const name = program instanceof Pipeline ? program.pipelineName : program.constructor.name;
  const piece = writer.module(name, program);
  const out = writer.node('outputs', 'stadium');
  for (const exit of piece.exits) writer.edge(exit, out);
  return [`flowchart ${options.direction ?? 'TD'}`, ...writer.lines].join('\n') + '\n';
}
