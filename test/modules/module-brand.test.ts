import { describe, expect, it } from 'vitest';
import { ProgramCatalog } from '../../services/program-catalog.js';
import {
  ChainOfThought,
  MODULE_BRAND,
  Module,
  Predict,
  isModule,
} from '../../src/modules/index.js';

/** A module class as another copy of dspex (dist/ beside src/, two installs) defines it. */
function otherCopyModule(): object {
  class ForeignModule {
    async forward(): Promise<unknown> {
      return {};
    }
  }
  Object.defineProperty(ForeignModule.prototype, Symbol.for('dspex.module'), { value: true });
  return new ForeignModule();
}

describe('Module brand', () => {
  it('the brand is the registered symbol dspex.module, shared by every copy of the package', () => {
    expect(MODULE_BRAND).toBe(Symbol.for('dspex.module'));
  });

  it('a module of another dspex copy is instanceof Module and isModule', () => {
    const foreign = otherCopyModule();
    expect(foreign instanceof Module).toBe(true);
    expect(isModule(foreign)).toBe(true);
  });

  it('instanceof a subclass keeps its prototype meaning', () => {
    const p = new Predict('q -> a');
    expect(p instanceof Module).toBe(true);
    expect(p instanceof Predict).toBe(true);
    expect(p instanceof ChainOfThought).toBe(false);
    expect(otherCopyModule() instanceof Predict).toBe(false);
  });

  it('plain objects and null are not modules', () => {
    expect({} instanceof Module).toBe(false);
    expect(isModule(null)).toBe(false);
    expect(isModule({ forward: () => undefined })).toBe(false);
  });

  it('the program catalog accepts a module built against another copy of dspex', () => {
    const catalog = new ProgramCatalog({ qa: otherCopyModule() });
    expect(catalog.names()).toEqual(['qa']);
  });
});
