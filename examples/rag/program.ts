import { ChainOfThought, Module, type Prediction, type Retrieve } from 'dspex';

/** Retrieve passages for the question, then answer from them with ChainOfThought. */
export class RAG extends Module {
  constructor(readonly search: Retrieve) {
    super();
  }
  answer = new ChainOfThought('context: list[str], question -> answer');
  override async forward({ question }: Record<string, unknown>): Promise<Prediction> {
    const { passages } = await this.search.call({ query: question });
    return this.answer.call({ context: passages, question });
  }
}
