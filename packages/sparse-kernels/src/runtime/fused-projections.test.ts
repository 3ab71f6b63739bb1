import { describe, expect, it } from 'vitest';
import { smallConfig, smallContents } from '../bundle/__fixtures__/small-encoder';
import { isPackedWeight, type BundleTensor } from '../bundle/bundle-types';
import { encoderTensorShapes, layerTensorNames } from '../bundle/encoder-tensors';
import { parseBundle } from '../bundle/read-bundle';
import { serializeBundle } from '../bundle/write-bundle';
import { packWeight } from '../formats/pack-weight';
import { quantizeWeightInt8 } from '../formats/quantize-weight';
import { unpackWeight } from '../formats/unpack-weight';
import { availableKernelImplementations } from '../kernels/kernel-implementations';
import { createEncoderRuntime } from './load-bundle';
import { runtimeWeights } from './encoder-weights';

const config = smallConfig({ hiddenSize: 32, numHeads: 4, headsPerLayer: [4, 4], intermediateSizes: [64, 64] });
const inputs = {
  inputIds: [[1, 5, 9, 2, 7, 3, 11, 4], [2, 8, 1, 13, 6, 0, 0, 0]],
  attentionMask: [[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0, 0]],
};

/** The contents with every layer's query weight repacked as a bitmask, so that it cannot stack with key and value. */
function withBitmaskQueries(contents: ReturnType<typeof smallContents>, int8: boolean): ReturnType<typeof smallContents> {
  const tensors = new Map(contents.tensors as ReadonlyMap<string, BundleTensor>);
  for (let layer = 0; layer < config.numLayers; layer++) {
    const name = layerTensorNames(config.family, layer).query.weight;
    const weight = tensors.get(name)!;
    if (!isPackedWeight(weight)) throw new Error('expected a packed query weight');
    // The fp32 weight the int8 one was quantized from is not kept; rebuild from its integers × scales.
    const dense = unpackWeight(weight);
    const bitmask = packWeight(dense, weight.rows, weight.cols, { format: 'bitmask' });
    tensors.set(name, int8 ? quantizeWeightInt8(bitmask, { scales: weight.scales }) : bitmask);
  }
  return { ...contents, tensors };
}

describe('fused query/key/value projections', () => {
  for (const int8 of [false, true]) {
    it(`give exactly the unfused outputs (${int8 ? 'int8' : 'fp32'}), on every kernel implementation`, () => {
      const contents = smallContents(config, 11, { format: 'csr', sparsity: 0.5, int8 });
      const fusedBundle = parseBundle(serializeBundle(contents));
      const separateBundle = parseBundle(serializeBundle(withBitmaskQueries(contents, int8)));
      expect(runtimeWeights(fusedBundle).layers.every((layer) => layer.queryKeyValue !== undefined)).toBe(true);
      expect(runtimeWeights(separateBundle).layers.every((layer) => layer.queryKeyValue === undefined)).toBe(true);
      expect(encoderTensorShapes(config).size).toBe(fusedBundle.tensors.size);
      for (const [, kernels] of availableKernelImplementations({ threads: 2 })) {
        const fused = createEncoderRuntime(fusedBundle, { kernels }).run(inputs);
        const separate = createEncoderRuntime(separateBundle, { kernels }).run(inputs);
        expect(fused.hidden).toEqual(separate.hidden);
        expect(fused.logits).toEqual(separate.logits);
      }
    });
  }
});
