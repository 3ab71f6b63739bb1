// The kernel table each instruction-set build (avx512-vnni, avx2, scalar) fills in, and the
// small parallel-for interface the kernels use. Kernel translation units include nothing from
// the C++ standard library beyond <cstdint>/<cstddef>/<cstring>/<cmath>, so that no shared inline function is
// compiled with instructions the running CPU may lack.
#pragma once
#include <cstddef>
#include <cstdint>

namespace pofa {

using TaskFunction = void (*)(void* context, int task);

// Runs `task(context, i)` for i in [0, tasks) on the thread pool and waits for all of them.
struct Parallel {
  void (*run)(void* pool, int tasks, TaskFunction task, void* context);
  void* pool;
};

template <class F>
inline void parallel_for(const Parallel& parallel, int tasks, F& body) {
  parallel.run(parallel.pool, tasks, [](void* context, int task) { (*static_cast<F*>(context))(task); }, &body);
}

// The shared arguments of every linear kernel: out[tokens, rows] = input[tokens, cols] · Wᵀ + bias.
struct LinearArgs {
  const float* input;
  int tokens;
  int cols;
  int rows;
  const float* bias;  // may be null
  bool gelu;
  float* out;
};

// An int8 weight as 4x4 VNNI tiles (see prepare-weight.ts) with its per-row sums and scales,
// both padded to a multiple of 4 rows.
struct VnniWeight {
  const int32_t* pointers;
  const int32_t* groups;
  const int8_t* weights;
  const int32_t* row_sums;
  const float* scales;
};

// How the int8 kernels quantize activations: per token (dynamic) or with a fixed range.
struct ActivationQuant {
  bool dynamic;
  float scale;
  int zero_point;
};

struct KernelTable {
  const char* isa;
  void (*gemm)(const Parallel&, const float* a, int m, int k, const float* b_transposed, int n, const float* bias, float* out);
  void (*linear_csr)(const Parallel&, const LinearArgs&, const int32_t* row_pointers, const int32_t* columns, const float* values);
  void (*linear_block4x1)(const Parallel&, const LinearArgs&, const int32_t* block_row_pointers, const int32_t* block_columns,
                          const float* values);
  void (*linear_int8)(const Parallel&, const LinearArgs&, const VnniWeight&, const ActivationQuant&);
  void (*layer_norm)(const Parallel&, const float* x, int rows, int cols, const float* gamma, const float* beta, float eps, float* out);
  void (*gelu)(const Parallel&, float* x, int64_t count);
  void (*add)(const Parallel&, float* a, const float* b, int64_t count);
  void (*attention)(const Parallel&, const float* q, const float* k, const float* v, int batch, int seq, int heads, int head_dim,
                    const float* mask, float* out);
};

const KernelTable* kernel_table_avx512();
const KernelTable* kernel_table_avx2();
const KernelTable* kernel_table_scalar();

}  // namespace pofa
