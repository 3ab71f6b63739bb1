// The AVX2 + FMA build (compiled with -mavx2 -mfma; used only when the CPU reports both).
#include <immintrin.h>

#include "kernels.h"

namespace pofa {
namespace avx2 {

constexpr int VW = 8;
typedef float vf __attribute__((vector_size(32)));
static inline vf vload(const float* p) { return (vf)_mm256_loadu_ps(p); }
static inline void vstore(float* p, vf v) { _mm256_storeu_ps(p, (__m256)v); }
static inline vf vbroadcast(float x) { return (vf)_mm256_set1_ps(x); }
static inline vf vmadd(vf a, vf b, vf c) { return (vf)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c); }
static inline float vsum(vf v) {
  const __m128 half = _mm_add_ps(_mm256_castps256_ps128((__m256)v), _mm256_extractf128_ps((__m256)v, 1));
  const __m128 quarter = _mm_add_ps(half, _mm_movehl_ps(half, half));
  return _mm_cvtss_f32(_mm_add_ss(quarter, _mm_shuffle_ps(quarter, quarter, 1)));
}
constexpr int GEMM_MR = 6;
#define ISA_NAME "avx2"

#include "vector-math.inc"
#include "vector-approx.inc"
#include "transpose-generic.inc"
#include "transpose.inc"
#include "gemm-body.inc"
#include "gemm-driver.inc"
#include "linear-body.inc"
#include "int8-tile-generic.inc"
#include "int8-body.inc"
#include "ops-body.inc"
#include "attention-body.inc"
#include "table.inc"

}  // namespace avx2

const KernelTable* kernel_table_avx2() { return &avx2::table; }

}  // namespace pofa
