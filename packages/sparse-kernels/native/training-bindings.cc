// N-API bindings of the training kernels (the `pofa-native` tfjs backend). They run on the
// addon's thread pool and on the instruction-set build that matches the addon's active table,
// reading and writing the JavaScript typed arrays in place.
#include <napi.h>

#include <cstring>

#include "training-bindings.h"
#include "training-kernels.h"

namespace pofa {
namespace {

ParallelSource parallel_source = nullptr;
IsaSource isa_source = nullptr;

const TrainingKernelTable* table() {
  const char* isa = isa_source();
#if defined(POFA_HAVE_X86_BUILDS)
  if (std::strcmp(isa, "avx512-vnni") == 0) return training_table_avx512();
  if (std::strcmp(isa, "avx2") == 0) return training_table_avx2();
#endif
  return training_table_scalar();
}

template <class T>
T* data(const Napi::Value& value) {
  if (value.IsNull() || value.IsUndefined()) return nullptr;
  return value.As<Napi::TypedArrayOf<T>>().Data();
}

int integer(const Napi::CallbackInfo& info, size_t index) { return info[index].As<Napi::Number>().Int32Value(); }
int64_t wide(const Napi::CallbackInfo& info, size_t index) { return info[index].As<Napi::Number>().Int64Value(); }

StridedMatrix strided(const Napi::CallbackInfo& info, size_t first) {
  return StridedMatrix{data<float>(info[first]), integer(info, first + 1), wide(info, first + 2), wide(info, first + 3), wide(info, first + 4)};
}

// gemmStrided(batch, m, n, k, a, aBatches, aBatchStride, aRow, aCol, b, bBatches, bBatchStride, bRow, bCol, bias, out)
Napi::Value GemmStrided(const Napi::CallbackInfo& info) {
  table()->gemm_strided(parallel_source(), integer(info, 0), integer(info, 1), integer(info, 2), integer(info, 3), strided(info, 4),
                        strided(info, 9), data<float>(info[14]), data<float>(info[15]));
  return info.Env().Undefined();
}

// softmax(x, rows, cols, log, out)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  table()->softmax(parallel_source(), data<float>(info[0]), wide(info, 1), integer(info, 2), info[3].As<Napi::Boolean>().Value(),
                   data<float>(info[4]));
  return info.Env().Undefined();
}

// unary(op, x, out)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  auto x = info[1].As<Napi::Float32Array>();
  table()->unary(parallel_source(), integer(info, 0), x.Data(), static_cast<int64_t>(x.ElementLength()), data<float>(info[2]));
  return info.Env().Undefined();
}

// reduce(op, x, outer, middle, inner, out)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  table()->reduce(parallel_source(), integer(info, 0), data<float>(info[1]), wide(info, 2), wide(info, 3), wide(info, 4), data<float>(info[5]));
  return info.Env().Undefined();
}

// binary(op, layout, a, b, out): layout = Float64Array [shape..., aStrides..., bStrides...] of 3·rank numbers.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  auto layout = info[1].As<Napi::Float64Array>();
  const int rank = static_cast<int>(layout.ElementLength() / 3);
  int64_t numbers[18];
  for (int i = 0; i < 3 * rank && i < 18; i++) numbers[i] = static_cast<int64_t>(layout[i]);
  table()->binary(parallel_source(), integer(info, 0), rank, numbers, data<float>(info[2]), numbers + rank, data<float>(info[3]),
                  numbers + 2 * rank, data<float>(info[4]));
  return info.Env().Undefined();
}

// fusedSoftmaxXent(x, labels, rows, cols, rowLoss, lse)
Napi::Value SoftmaxXent(const Napi::CallbackInfo& info) {
  table()->softmax_xent(parallel_source(), data<float>(info[0]), data<int32_t>(info[1]), wide(info, 2), integer(info, 3), data<float>(info[4]),
                        data<float>(info[5]));
  return info.Env().Undefined();
}

// fusedSoftmaxXentGrad(x, labels, lse, scale, rows, cols, out)
Napi::Value SoftmaxXentGrad(const Napi::CallbackInfo& info) {
  table()->softmax_xent_grad(parallel_source(), data<float>(info[0]), data<int32_t>(info[1]), data<float>(info[2]), data<float>(info[3]),
                             wide(info, 4), integer(info, 5), data<float>(info[6]));
  return info.Env().Undefined();
}

// fusedLayerNorm(x, gamma, beta, rows, cols, eps, y, mean, rstd)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  table()->layer_norm(parallel_source(), data<float>(info[0]), data<float>(info[1]), data<float>(info[2]), wide(info, 3), integer(info, 4),
                      info[5].As<Napi::Number>().FloatValue(), data<float>(info[6]), data<float>(info[7]), data<float>(info[8]));
  return info.Env().Undefined();
}

// fusedLayerNormGrad(dy, x, gamma, mean, rstd, rows, cols, dx, dgamma, dbeta)
Napi::Value LayerNormGrad(const Napi::CallbackInfo& info) {
  table()->layer_norm_grad(parallel_source(), data<float>(info[0]), data<float>(info[1]), data<float>(info[2]), data<float>(info[3]),
                           data<float>(info[4]), wide(info, 5), integer(info, 6), data<float>(info[7]), data<float>(info[8]), data<float>(info[9]));
  return info.Env().Undefined();
}

// fusedGelu(op, a, b, out): op 0 GELU(a) (b ignored), op 1 a · GELU'(b)
Napi::Value Gelu(const Napi::CallbackInfo& info) {
  auto a = info[1].As<Napi::Float32Array>();
  table()->gelu(parallel_source(), integer(info, 0), a.Data(), data<float>(info[2]), static_cast<int64_t>(a.ElementLength()), data<float>(info[3]));
  return info.Env().Undefined();
}

// fusedAdamW(param, grad, expAvg, expAvgSq, constants, outParam, outExpAvg, outExpAvgSq)
Napi::Value AdamW(const Napi::CallbackInfo& info) {
  auto param = info[0].As<Napi::Float32Array>();
  table()->adamw(parallel_source(), param.Data(), data<float>(info[1]), data<float>(info[2]), data<float>(info[3]), data<float>(info[4]),
                 static_cast<int64_t>(param.ElementLength()), data<float>(info[5]), data<float>(info[6]), data<float>(info[7]));
  return info.Env().Undefined();
}

// fusedFakeQuantize(x, scale, inverse, zeroPoint, channels, inner, quantMin, quantMax, out, mask) -> elements out of range
Napi::Value FakeQuantize(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  const int64_t outside = table()->fake_quantize(parallel_source(), x.Data(), static_cast<int64_t>(x.ElementLength()), wide(info, 4), wide(info, 5),
                                                 data<float>(info[1]), data<float>(info[2]), data<float>(info[3]),
                                                 info[6].As<Napi::Number>().FloatValue(), info[7].As<Napi::Number>().FloatValue(),
                                                 data<float>(info[8]), data<float>(info[9]));
  return Napi::Number::New(info.Env(), static_cast<double>(outside));
}

// fusedChannelMinMax(x, channels, inner, min, max)
Napi::Value ChannelMinMax(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  table()->channel_min_max(parallel_source(), x.Data(), static_cast<int64_t>(x.ElementLength()), wide(info, 1), wide(info, 2), data<float>(info[3]),
                           data<float>(info[4]));
  return info.Env().Undefined();
}

// fusedDropout(x, seed, rate, scale, out, mask)
Napi::Value Dropout(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  table()->dropout(parallel_source(), x.Data(), static_cast<int64_t>(x.ElementLength()), info[1].As<Napi::Number>().Uint32Value(),
                   info[2].As<Napi::Number>().FloatValue(), info[3].As<Napi::Number>().FloatValue(), data<float>(info[4]), data<float>(info[5]));
  return info.Env().Undefined();
}

}  // namespace

void register_training_bindings(Napi::Env env, Napi::Object exports, ParallelSource parallel, IsaSource isa) {
  parallel_source = parallel;
  isa_source = isa;
  exports.Set("gemmStrided", Napi::Function::New(env, GemmStrided));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("fusedSoftmaxXent", Napi::Function::New(env, SoftmaxXent));
  exports.Set("fusedSoftmaxXentGrad", Napi::Function::New(env, SoftmaxXentGrad));
  exports.Set("fusedLayerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("fusedLayerNormGrad", Napi::Function::New(env, LayerNormGrad));
  exports.Set("fusedGelu", Napi::Function::New(env, Gelu));
  exports.Set("fusedAdamW", Napi::Function::New(env, AdamW));
  exports.Set("fusedFakeQuantize", Napi::Function::New(env, FakeQuantize));
  exports.Set("fusedChannelMinMax", Napi::Function::New(env, ChannelMinMax));
  exports.Set("fusedDropout", Napi::Function::New(env, Dropout));
}

}  // namespace pofa
