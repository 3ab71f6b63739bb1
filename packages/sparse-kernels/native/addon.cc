// N-API bindings of the kernel tables: picks the best build the CPU supports at load time
// (AVX-512 with VNNI, then AVX2 + FMA, then the portable native build), owns the thread pool,
// and hands the JavaScript typed arrays to the kernels without copying them.
#include <napi.h>

#include <memory>
#include <string>
#include <thread>

#include "kernels.h"
#include "thread-pool.h"
#include "training-bindings.h"

namespace {

using pofa::KernelTable;

// The x86-64 builds exist only where binding.gyp compiled them (target_arch x64); elsewhere
// (arm64) the portable build runs, which GCC's vector extensions compile to NEON.
#if defined(__x86_64__) && defined(POFA_HAVE_X86_BUILDS)
bool cpu_has_avx512_vnni() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("fma");
}

bool cpu_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

const KernelTable* table_for(const std::string& isa) {
#if defined(__x86_64__) && defined(POFA_HAVE_X86_BUILDS)
  if (isa == "avx512-vnni" && cpu_has_avx512_vnni()) return pofa::kernel_table_avx512();
  if (isa == "avx2" && cpu_has_avx2()) return pofa::kernel_table_avx2();
#endif
  if (isa == "scalar") return pofa::kernel_table_scalar();
  return nullptr;
}

const KernelTable* best_table() {
  for (const char* isa : {"avx512-vnni", "avx2", "scalar"})
    if (const KernelTable* table = table_for(isa)) return table;
  return pofa::kernel_table_scalar();
}

const KernelTable* active = nullptr;
std::unique_ptr<pofa::ThreadPool> pool;

int default_threads() {
  const unsigned count = std::thread::hardware_concurrency();
  return count == 0 ? 1 : static_cast<int>(count);
}

pofa::Parallel parallel() { return pool->parallel(); }
const char* active_isa() { return active->isa; }

template <class T>
T* data(const Napi::Value& value) {
  if (value.IsNull() || value.IsUndefined()) return nullptr;
  return value.As<Napi::TypedArrayOf<T>>().Data();
}

int integer(const Napi::CallbackInfo& info, size_t index) { return info[index].As<Napi::Number>().Int32Value(); }

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("isa", active->isa);
  result.Set("tokenTile", active->token_tile);
  result.Set("threads", pool->threads());
  Napi::Array supported = Napi::Array::New(info.Env());
  uint32_t count = 0;
  for (const char* isa : {"avx512-vnni", "avx2", "scalar"})
    if (table_for(isa) != nullptr) supported.Set(count++, isa);
  result.Set("supported", supported);
  return result;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const int threads = integer(info, 0);
  if (threads != pool->threads()) pool = std::make_unique<pofa::ThreadPool>(threads < 1 ? 1 : threads);
  return info.Env().Undefined();
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  const KernelTable* table = table_for(info[0].As<Napi::String>().Utf8Value());
  if (table != nullptr) active = table;
  return Napi::Boolean::New(info.Env(), table != nullptr);
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  active->gemm(parallel(), data<float>(info[0]), integer(info, 1), integer(info, 2), data<float>(info[3]), integer(info, 4),
               data<float>(info[5]), data<float>(info[6]));
  return info.Env().Undefined();
}

bool flag(const Napi::CallbackInfo& info, size_t index) { return info.Length() > index && info[index].ToBoolean().Value(); }

// The input, sizes, bias, GELU and output of a linear call; the two flags after `out` say whether
// the input and the output are in token tiles (see kernels.h).
pofa::LinearArgs linear_args(const Napi::CallbackInfo& info, size_t bias, size_t gelu, size_t out) {
  return pofa::LinearArgs{data<float>(info[0]), integer(info, 1), integer(info, 2), integer(info, 3), data<float>(info[bias]),
                          info[gelu].As<Napi::Boolean>().Value(), data<float>(info[out]), flag(info, out + 1), flag(info, out + 2)};
}

// linearCsr(input, tokens, cols, rows, rowPointers, columns, values, bias, gelu, out, inputTiled?, outTiled?)
Napi::Value LinearCsr(const Napi::CallbackInfo& info) {
  active->linear_csr(parallel(), linear_args(info, 7, 8, 9), data<int32_t>(info[4]), data<int32_t>(info[5]), data<float>(info[6]));
  return info.Env().Undefined();
}

// linearBlock4x1(input, tokens, cols, rows, blockRowPointers, blockColumns, values, bias, gelu, out, inputTiled?, outTiled?)
Napi::Value LinearBlock4x1(const Napi::CallbackInfo& info) {
  active->linear_block4x1(parallel(), linear_args(info, 7, 8, 9), data<int32_t>(info[4]), data<int32_t>(info[5]), data<float>(info[6]));
  return info.Env().Undefined();
}

// linearInt8(input, tokens, cols, rows, pointers, columns, weights, rowSums, scales, dynamic, scale, zeroPoint, bias, gelu, out,
//            inputTiled?, outTiled?)
Napi::Value LinearInt8(const Napi::CallbackInfo& info) {
  const pofa::Int8Weight weight{data<int32_t>(info[4]), data<int32_t>(info[5]), data<int8_t>(info[6]), data<int32_t>(info[7]),
                                data<float>(info[8])};
  const pofa::ActivationQuant quant{info[9].As<Napi::Boolean>().Value(), info[10].As<Napi::Number>().FloatValue(), integer(info, 11)};
  active->linear_int8(parallel(), linear_args(info, 12, 13, 14), weight, quant);
  return info.Env().Undefined();
}

// layerNorm(x, rows, cols, gamma, beta, eps, out)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  active->layer_norm(parallel(), data<float>(info[0]), integer(info, 1), integer(info, 2), data<float>(info[3]), data<float>(info[4]),
                     info[5].As<Napi::Number>().FloatValue(), data<float>(info[6]));
  return info.Env().Undefined();
}

Napi::Value Gelu(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  active->gelu(parallel(), x.Data(), static_cast<int64_t>(x.ElementLength()));
  return info.Env().Undefined();
}

Napi::Value Add(const Napi::CallbackInfo& info) {
  auto a = info[0].As<Napi::Float32Array>();
  active->add(parallel(), a.Data(), data<float>(info[1]), static_cast<int64_t>(a.ElementLength()));
  return info.Env().Undefined();
}

// attention(q, k, v, batch, seq, heads, headDim, mask, out, stride)
Napi::Value Attention(const Napi::CallbackInfo& info) {
  active->attention(parallel(), data<float>(info[0]), data<float>(info[1]), data<float>(info[2]), integer(info, 9), integer(info, 3),
                    integer(info, 4), integer(info, 5), integer(info, 6), data<float>(info[7]), data<float>(info[8]));
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (active == nullptr) active = best_table();
  if (!pool) pool = std::make_unique<pofa::ThreadPool>(default_threads());
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("linearCsr", Napi::Function::New(env, LinearCsr));
  exports.Set("linearBlock4x1", Napi::Function::New(env, LinearBlock4x1));
  exports.Set("linearInt8", Napi::Function::New(env, LinearInt8));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("gelu", Napi::Function::New(env, Gelu));
  exports.Set("add", Napi::Function::New(env, Add));
  exports.Set("attention", Napi::Function::New(env, Attention));
  pofa::register_training_bindings(env, exports, parallel, active_isa);
  return exports;
}

}  // namespace

NODE_API_MODULE(pofa_sparse_kernels, Init)
