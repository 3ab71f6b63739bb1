// The kernels of the `pofa-native` tfjs backend (training): a batched GEMM over strided
// operands, so that transposes and batch broadcasting need no copies, and the elementwise and
// row-wise kernels a BERT training step spends its time in. One table per instruction-set
// build, picked to match the inference kernels' table (see training-bindings.cc).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels.h"

namespace pofa {

// A batch of matrices: element (b, i, j) is data[(b % batches)·batch_stride + i·row + j·col].
// `batches` below the GEMM's batch broadcasts (tfjs's BatchMatMul convention).
struct StridedMatrix {
  const float* data;
  int batches;
  int64_t batch_stride;
  int64_t row;
  int64_t col;
};

struct TrainingKernelTable {
  const char* isa;
  // out[b][m, n] = A_b[m, k] · B_b[k, n] + bias[n] (bias may be null); out is dense.
  void (*gemm_strided)(const Parallel&, int batch, int m, int n, int k, const StridedMatrix& a, const StridedMatrix& b, const float* bias,
                       float* out);
  // Row-wise softmax (log_softmax when `log`) of x[rows, cols].
  void (*softmax)(const Parallel&, const float* x, int64_t rows, int cols, bool log, float* out);
  // out = op(x): 0 erf, 1 exp, 2 log, 3 sqrt, 4 rsqrt, 5 square, 6 neg.
  void (*unary)(const Parallel&, int op, const float* x, int64_t count, float* out);
  // out[o, i] = sum (op 0) or max (op 1) over m of x[o, m, i], for x[outer, middle, inner].
  void (*reduce)(const Parallel&, int op, const float* x, int64_t outer, int64_t middle, int64_t inner, float* out);
  // Broadcasting out = a op b (op 0 add, 1 sub, 2 mul, 3 div, 4 a alone: a strided copy, e.g. a transpose) over an output of `rank` ≤ 6
  // dimensions; a_strides/b_strides are 0 on the dimensions an operand broadcasts.
  void (*binary)(const Parallel&, int op, int rank, const int64_t* shape, const float* a, const int64_t* a_strides, const float* b,
                 const int64_t* b_strides, float* out);
  // The fused kernels (FUSED_KERNELS in @pofa/core; contracts in training-body.inc).
  void (*softmax_xent)(const Parallel&, const float* x, const int32_t* labels, int64_t rows, int cols, float* row_loss, float* lse);
  void (*softmax_xent_grad)(const Parallel&, const float* x, const int32_t* labels, const float* lse, const float* scale, int64_t rows,
                            int cols, float* out);
  void (*layer_norm)(const Parallel&, const float* x, const float* gamma, const float* beta, int64_t rows, int cols, float eps, float* y,
                     float* mean, float* rstd);
  void (*layer_norm_grad)(const Parallel&, const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                          int64_t rows, int cols, float* dx, float* dgamma, float* dbeta);
  void (*gelu)(const Parallel&, int op, const float* a, const float* b, int64_t count, float* out);
  void (*adamw)(const Parallel&, const float* param, const float* grad, const float* exp_avg, const float* exp_avg_sq, const float* k,
                int64_t count, float* out_param, float* out_avg, float* out_avg_sq);
  // Fake quantization of x viewed as [outer, channels, inner] with per-channel scale, 1/scale and zero point:
  // q = rint(x · inv) + zp (half to even), out = (clamp(q, qmin, qmax) − zp) · scale, mask = 1 where qmin ≤ q ≤ qmax (else 0).
  // Returns how many elements are out of range (mask 0).
  int64_t (*fake_quantize)(const Parallel&, const float* x, int64_t count, int64_t channels, int64_t inner, const float* scale,
                        const float* inverse, const float* zero_point, float qmin, float qmax, float* out, float* mask);
  // Per-channel min and max of x viewed as [outer, channels, inner]; NaN is skipped (±inf for a channel of NaN only).
  void (*channel_min_max)(const Parallel&, const float* x, int64_t count, int64_t channels, int64_t inner, float* min, float* max);
  // Inverted dropout: element i is kept where (fmix32(i + fmix32(seed)) >> 8) · 2^-24 >= rate; mask = scale there, else 0; out = x · mask.
  void (*dropout)(const Parallel&, const float* x, int64_t count, uint32_t seed, float rate, float scale, float* out, float* mask);
};

const TrainingKernelTable* training_table_avx512();
const TrainingKernelTable* training_table_avx2();
const TrainingKernelTable* training_table_scalar();

}  // namespace pofa
