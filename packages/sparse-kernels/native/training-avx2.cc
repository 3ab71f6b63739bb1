// The AVX2 + FMA build of the training kernels (compiled with -mavx2 -mfma).
#include <immintrin.h>

#include "training-kernels.h"

namespace pofa {
namespace avx2_training {

constexpr int VW = 8;
typedef float vf __attribute__((vector_size(32)));
static inline vf vload(const float* p) { return (vf)_mm256_loadu_ps(p); }
static inline void vstore(float* p, vf v) { _mm256_storeu_ps(p, (__m256)v); }
static inline vf vbroadcast(float x) { return (vf)_mm256_set1_ps(x); }
static inline vf vmadd(vf a, vf b, vf c) { return (vf)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c); }
constexpr int GEMM_MR = 6;
#define ISA_NAME "avx2"

#include "vector-math.inc"
// Only the micro-kernel and block sizes of gemm-body.inc are used here, not its gemm().
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "gemm-body.inc"
#pragma GCC diagnostic pop
#include "training-body.inc"

}  // namespace avx2_training

const TrainingKernelTable* training_table_avx2() { return &avx2_training::training_table; }

}  // namespace pofa
