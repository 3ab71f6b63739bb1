// The AVX-512 + VNNI build (compiled with -mavx512f/bw/vl/vnni -mfma; used only when the CPU
// reports all of them). The int8 kernel multiplies uint8 activations by int8 weights with
// vpdpbusd: one 32-bit lane = one output row's 4 weights against 4 consecutive inputs.
#include <immintrin.h>

#include "kernels.h"

namespace pofa {
namespace avx512 {

constexpr int VW = 16;
typedef float vf __attribute__((vector_size(64)));
static inline vf vload(const float* p) { return (vf)_mm512_loadu_ps(p); }
static inline void vstore(float* p, vf v) { _mm512_storeu_ps(p, (__m512)v); }
static inline vf vbroadcast(float x) { return (vf)_mm512_set1_ps(x); }
static inline vf vmadd(vf a, vf b, vf c) { return (vf)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c); }
static inline float vsum(vf v) { return _mm512_reduce_add_ps((__m512)v); }
constexpr int GEMM_MR = 12;
#define ISA_NAME "avx512-vnni"

#include "vector-math.inc"

template <int NV>
static inline void int8_tile(const uint8_t* a4, int padded, int t0, const VnniWeight& weight, int b, int32_t* out) {
  __m512i acc[4][NV];
  for (int j = 0; j < 4; j++)
    for (int v = 0; v < NV; v++) acc[j][v] = _mm512_setzero_si512();
  for (int i = weight.pointers[b]; i < weight.pointers[b + 1]; i++) {
    const uint8_t* src = a4 + (static_cast<int64_t>(weight.groups[i]) * padded + t0) * 4;
    const int32_t* w = reinterpret_cast<const int32_t*>(weight.weights + static_cast<int64_t>(i) * 16);
    __m512i activation[NV];
    for (int v = 0; v < NV; v++) activation[v] = _mm512_loadu_si512(src + 64 * v);
    for (int j = 0; j < 4; j++) {
      int32_t lane;
      __builtin_memcpy(&lane, w + j, sizeof lane);
      const __m512i broadcast = _mm512_set1_epi32(lane);
      for (int v = 0; v < NV; v++) acc[j][v] = _mm512_dpbusd_epi32(acc[j][v], activation[v], broadcast);
    }
  }
  for (int j = 0; j < 4; j++)
    for (int v = 0; v < NV; v++) _mm512_storeu_si512(out + j * TOKEN_TILE + 16 * v, acc[j][v]);
}

static inline void linear_int8_tile(const uint8_t* a4, int padded, int t0, int width, const VnniWeight& weight, int b, int32_t* acc) {
  switch (width / 16) {
    case 4: int8_tile<4>(a4, padded, t0, weight, b, acc); break;
    case 3: int8_tile<3>(a4, padded, t0, weight, b, acc); break;
    case 2: int8_tile<2>(a4, padded, t0, weight, b, acc); break;
    default: int8_tile<1>(a4, padded, t0, weight, b, acc); break;
  }
}

#include "gemm-body.inc"
#include "linear-body.inc"
#include "ops-body.inc"
#include "table.inc"

}  // namespace avx512

const KernelTable* kernel_table_avx512() { return &avx512::table; }

}  // namespace pofa
