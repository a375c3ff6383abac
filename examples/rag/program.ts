import { ChainOfThought, Module, type Prediction, type Retrieve } from 'dspex';

/** Retrieve passages for the question, then answer from them with ChainOfThought. */
export class RAG extends Module<{ question: string }> {
  constructor(readonly search: Retrieve) {
    super();
  }
  answer = new ChainOfThought('context: list[str], question -> answer');
  override async forward({ question }: { question: string }): Promise<Prediction> {
    const { passages } = await this.search.call({ query: question });
    return this.answer.call({ context: passages, question });
  }
}
