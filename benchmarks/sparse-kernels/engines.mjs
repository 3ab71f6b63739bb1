// The engines of the benchmark: onnxruntime-node fp32 and dynamic int8 on the dense weights, and
// the pofa runtime on every variant (dense, unstructured and 4x1 at each sparsity; fp32 and int8),
// each checked against onnxruntime fp32 on the same weights before anything is timed.
import { buildOnnxModelFromStateDict } from '@pofa/onnx';
import { encoderLinearNames, onnxStateDict, variantTensors } from './random-encoder.mjs';

/**
 * A `[batch, seq]` batch for both engines: token ids past the special ones, token types 0 then 1,
 * and each row but the first padded by a few positions (mask 0), as real batches are.
 */
export function batchInputs(ort, batch, seq, seed) {
  const ids = [];
  const mask = [];
  const types = [];
  for (let b = 0; b < batch; b++) {
    const length = seq - ((b * 7) % Math.max(1, Math.floor(seq / 4)));
    ids.push(Array.from({ length: seq }, (_, s) => (s === 0 ? 101 : s < length ? 1000 + ((seed * 7919 + b * 131 + s * 31) % 28000) : 0)));
    mask.push(Array.from({ length: seq }, (_, s) => (s < length ? 1 : 0)));
    types.push(Array.from({ length: seq }, (_, s) => (s < length / 2 ? 0 : 1)));
  }
  const tensor = (rows) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [batch, seq]);
  return {
    pofa: { inputIds: ids, attentionMask: mask, tokenTypeIds: types },
    ort: { input_ids: tensor(ids), attention_mask: tensor(mask), token_type_ids: tensor(types) },
  };
}

/** The variants the pofa runtime runs: dense, then unstructured and 4x1 at each sparsity; fp32 then int8. */
export function pofaVariants(sparsities) {
  const variants = [];
  for (const int8 of [false, true]) {
    variants.push({ pattern: 'dense', sparsity: 0, int8 });
    for (const pattern of ['unstructured', '4x1']) for (const sparsity of sparsities) variants.push({ pattern, sparsity, int8 });
  }
  return variants;
}

const percent = (sparsity) => `${Math.round(sparsity * 100)}%`;

/**
 * A variant's bundle from its packed tensors, through a serialized and re-parsed `.pofa` (so the
 * runtime reads what a file holds); its tensors other than the encoder Linear weights are then
 * swapped for the shared dense ones (same values), so that a dozen variants do not hold a dozen
 * copies of the embeddings.
 */
function variantBundle(sk, config, dense, tensors, int8) {
  const quantization = int8 ? { quantization: { weights: { bits: 8, symmetric: true, granularity: 'per-row' } } } : {};
  const bundle = sk.parseBundle(sk.serializeBundle({ config, tensors, ...quantization }));
  const linear = new Set(encoderLinearNames(config));
  for (const [name, tensor] of dense) if (!linear.has(name)) bundle.tensors.set(name, tensor);
  return bundle;
}

/**
 * Every engine, in the order they take turns: `ort fp32`, `ort int8`, then the pofa variants.
 * Each has `label`, `engine`, `pattern`, `sparsity`, `dtype`, `run(inputs)` (one forward pass of a
 * batch from {@link batchInputs}) and `output(inputs)` (its last hidden states); pofa engines
 * also `bundle` and `profiled(kernels)` (the same bundle on other kernels).
 */
export async function createEngines(sk, ort, config, dense, { sparsities, kernels, sessionOptions }) {
  const session = async (state, dynamicQuantization) => ort.InferenceSession.create(buildOnnxModelFromStateDict(config, state, { dynamicQuantization }), sessionOptions);
  const ortEngine = (dtype, created) => ({
    label: `ort ${dtype}`,
    engine: 'ort',
    pattern: 'dense',
    sparsity: 0,
    dtype,
    run: (inputs) => created.run(inputs.ort),
    output: async (inputs) => Float32Array.from((await created.run(inputs.ort)).last_hidden_state.data),
    dispose: () => created.release(),
  });
  const engines = [
    ortEngine('fp32', await session(onnxStateDict(sk, config, dense), false)),
    ortEngine('int8', await session(onnxStateDict(sk, config, dense, { int8: true }), true)),
  ];
  // Each pattern × sparsity is pruned and packed once, and its int8 variant quantizes those packed
  // weights right away (the fp32 tensors are dropped before the next one is made).
  const pofa = new Map();
  for (const variant of pofaVariants(sparsities).filter(({ int8 }) => !int8)) {
    const fp32 = variantTensors(sk, config, dense, variant);
    const int8 = new Map([...fp32].map(([name, tensor]) => [name, sk.isPackedWeight(tensor) ? sk.quantizeWeightInt8(tensor) : tensor]));
    for (const [dtype, tensors] of [['fp32', fp32], ['int8', int8]]) {
      const bundle = variantBundle(sk, config, dense, tensors, dtype === 'int8');
      const runtime = sk.createEncoderRuntime(bundle, { kernels });
      const label = `pofa ${variant.pattern}${variant.pattern === 'dense' ? '' : ` ${percent(variant.sparsity)}`} ${dtype}`;
      pofa.set(`${variant.pattern} ${variant.sparsity} ${dtype}`, {
        label,
        engine: 'pofa',
        pattern: variant.pattern,
        sparsity: variant.sparsity,
        dtype,
        bundle,
        run: (inputs) => runtime.run(inputs.pofa),
        output: (inputs) => runtime.run(inputs.pofa).hidden,
        profiled: (other) => sk.createEncoderRuntime(bundle, { kernels: other }),
        dispose: () => undefined,
      });
    }
  }
  engines.push(...pofaVariants(sparsities).map(({ pattern, sparsity, int8 }) => pofa.get(`${pattern} ${sparsity} ${int8 ? 'int8' : 'fp32'}`)));
  return engines;
}

/** Tolerances of the check, as fractions of the reference's largest |value| (last hidden states). */
export const CHECK_TOLERANCE = { fp32: 1e-3, int8: 0.1 };

function compare(output, reference, referenceLabel, dtype) {
  let scale = 0;
  let maxDifference = output.length === reference.length ? 0 : Infinity;
  for (let i = 0; i < reference.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i]));
    const difference = Math.abs(output[i] - reference[i]);
    if (!(difference <= maxDifference)) maxDifference = Number.isNaN(difference) ? Infinity : difference;
  }
  const tolerance = CHECK_TOLERANCE[dtype] * scale;
  return { reference: referenceLabel, maxDifference, tolerance, agrees: maxDifference <= tolerance };
}

/**
 * Checks every engine on one small batch against onnxruntime fp32 running the same weights: the
 * dense session for the ORT int8 and dense pofa engines, and for each sparse pattern × sparsity a
 * session of the pruned fp32 weights (made, run once and released here). int8 engines are held
 * to the int8 tolerance (their weights and activations are quantized; the reference is not).
 * Returns one check per engine label.
 */
export async function checkEngines(sk, ort, config, engines, inputs, sessionOptions) {
  const ortFp32 = engines.find((engine) => engine.label === 'ort fp32');
  const references = new Map([['dense 0', { label: 'ort fp32', output: await ortFp32.output(inputs) }]]);
  const linear = new Set(encoderLinearNames(config));
  const referenceFor = async (engine) => {
    const key = `${engine.pattern} ${engine.sparsity}`;
    if (!references.has(key)) {
      const fp32 = engines.find((other) => other.engine === 'pofa' && other.dtype === 'fp32' && `${other.pattern} ${other.sparsity}` === key);
      const state = {};
      for (const [name, tensor] of fp32.bundle.tensors) {
        state[name] = linear.has(name) ? { dtype: 'F32', shape: [tensor.rows, tensor.cols], data: sk.unpackWeight(tensor) } : { dtype: 'F32', shape: tensor.shape, data: tensor.data };
      }
      const session = await ort.InferenceSession.create(buildOnnxModelFromStateDict(config, state), sessionOptions);
      const output = Float32Array.from((await session.run(inputs.ort)).last_hidden_state.data);
      await session.release();
      references.set(key, { label: `ort fp32, ${fp32.label.slice('pofa '.length, -' fp32'.length)} weights`, output });
    }
    return references.get(key);
  };
  const checks = [];
  for (const engine of engines) {
    if (engine === ortFp32) continue;
    const reference = await referenceFor(engine);
    checks.push({ label: engine.label, ...compare(await engine.output(inputs), reference.output, reference.label, engine.dtype) });
  }
  return checks;
}
