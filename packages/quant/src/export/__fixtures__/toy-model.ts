import { LayerNorm, Linear, Module, createRandom } from '@pofa/core';

/** A head with its own dense layer, to give nested module paths (`head.dense`). */
class ToyHead extends Module {
  readonly dense: Linear;

  constructor() {
    super();
    this.dense = this.addModule('dense', new Linear(6, 4, { random: createRandom(2), std: 0.3 }));
  }
}

/** A small model with three Linear layers and a LayerNorm, for export tests. */
export class ToyModel extends Module {
  readonly dense: Linear;
  readonly norm: LayerNorm;
  readonly head: ToyHead;
  readonly output: Linear;

  constructor() {
    super();
    this.dense = this.addModule('dense', new Linear(8, 6, { random: createRandom(1), std: 0.5 }));
    this.norm = this.addModule('norm', new LayerNorm(6));
    this.head = this.addModule('head', new ToyHead());
    this.output = this.addModule('output', new Linear(4, 2, { random: createRandom(3), std: 0.4, bias: false }));
  }
}

/** Targets selecting the three Linear weights of {@link ToyModel}. */
export const TOY_TARGETS = { include: ['dense.weight', 'head.dense.weight', 'output.weight'] };
