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
// A sparse kernel can also read its input, or write its output, in its build's token-tile layout
// (tile i = tokens [i·T, (i+1)·T) as tile[c · T + t], T = token_tile in the table, tiles back to
// back, zero past the last token): a feed-forward block then passes its intermediate between its
// two Linears without transposing it twice.
struct LinearArgs {
  const float* input;
  int tokens;
  int cols;
  int rows;
  const float* bias;  // may be null
  bool gelu;
  float* out;
  bool input_tiled;
  bool out_tiled;
};

// An int8 weight gathered in quads for vpdpbusd (see prepare-weight.ts): row group b (output rows
// 4b..4b+3) keeps quads [pointers[b], pointers[b + 1]); quad q multiplies input columns
// columns[4q..4q+3] (the row group's non-zero columns, ascending, the last quad padded with a
// repeated column and zero weights) by weights[16q + 4j + x] = W[4b + j, columns[4q + x]].
// Per-row sums and scales are padded to a multiple of 4 rows.
struct Int8Weight {
  const int32_t* pointers;
  const int32_t* columns;
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
  int token_tile;
  void (*gemm)(const Parallel&, const float* a, int m, int k, const float* b_transposed, int n, const float* bias, float* out);
  void (*linear_csr)(const Parallel&, const LinearArgs&, const int32_t* row_pointers, const int32_t* columns, const float* values);
  void (*linear_block4x1)(const Parallel&, const LinearArgs&, const int32_t* block_row_pointers, const int32_t* block_columns,
                          const float* values);
  void (*linear_int8)(const Parallel&, const LinearArgs&, const Int8Weight&, const ActivationQuant&);
  void (*layer_norm)(const Parallel&, const float* x, int rows, int cols, const float* gamma, const float* beta, float eps, float* out);
  void (*gelu)(const Parallel&, float* x, int64_t count);
  void (*add)(const Parallel&, float* a, const float* b, int64_t count);
  // q, k, v rows `stride` floats apart (at least heads · head_dim); out is [batch, seq, heads · head_dim].
  void (*attention)(const Parallel&, const float* q, const float* k, const float* v, int stride, int batch, int seq, int heads, int head_dim,
                    const float* mask, float* out);
};

const KernelTable* kernel_table_avx512();
const KernelTable* kernel_table_avx2();
const KernelTable* kernel_table_scalar();

}  // namespace pofa
