// The AVX-512 + VNNI build (compiled with -mavx512f/bw/vl/dq/vnni -mfma; used only when the CPU
// reports all of them). The int8 kernel multiplies uint8 activations by int8 weights with
// vpdpbusd: one 32-bit lane = one output row's 4 weights against one token's 4 inputs.
#include <immintrin.h>

#include "kernels.h"

namespace pofa {
namespace avx512 {

#include "isa-avx512.inc"
#include "vector-math.inc"
#include "vector-approx.inc"

// dst[c · dst_stride + r] = src[r · src_stride + c] for a 16 × 16 block, in registers.
static inline void transpose16(const float* src, int64_t src_stride, float* dst, int64_t dst_stride) {
  __m512 r[16], t[16];
  for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(src + i * src_stride);
  for (int i = 0; i < 16; i += 2) t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]), t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int i = 0; i < 4; i++) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88), t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);
    t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88), t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
  }
  for (int i = 0; i < 8; i++) r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88), r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
  for (int i = 0; i < 16; i++) _mm512_storeu_ps(dst + i * dst_stride, r[i]);
}

#include "transpose.inc"
#include "gemm-body.inc"
#include "gemm-driver.inc"
#include "linear-body.inc"

// int8 hooks of int8-body.inc. quantize_block transposes 16 tokens × 16 columns in registers and
// converts each column's 16 tokens at once (cvtps rounds to nearest even, like round_even).
static inline void quantize_block(const float* src, int64_t stride, int count, int width, const float* inverses, const int32_t* zero_points,
                                  uint8_t* dst) {
  alignas(64) float block[16 * 16];
  for (int g = 0; g < TOKEN_TILE / 16; g++) {
    const int t0 = 16 * g, valid = count - t0;
    int c = 0;
    if (valid >= 16) {
      const __m512 inverse = _mm512_loadu_ps(inverses + t0);
      const __m512i zero_point = _mm512_loadu_si512(zero_points + t0);
      for (; c + 16 <= width; c += 16) {
        transpose16(src + t0 * stride + c, stride, block, 16);
        for (int i = 0; i < 16; i++) {
          const __m512 scaled = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_load_ps(block + 16 * i), inverse), _mm512_set1_ps(-1024.0f)),
                                              _mm512_set1_ps(1024.0f));
          const __m512i q = _mm512_max_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(scaled), zero_point), _mm512_setzero_si512());
          _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + (c + i) * TOKEN_TILE + t0), _mm512_cvtusepi32_epi8(q));
        }
      }
    }
    for (; c < width; c++)
      for (int t = t0; t < t0 + 16; t++) dst[c * TOKEN_TILE + t] = t < count ? quantize_value(src[t * stride + c], inverses[t], zero_points[t]) : 0;
  }
}

// acc + Σ of 4 u8 × s8 products per 32-bit lane. Inline assembly ties the accumulator to one
// register: with the intrinsic, GCC copies every accumulator (and spills some) on each iteration.
static inline __m512i dpbusd(__m512i acc, __m512i unsigned_bytes, __m512i signed_bytes) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(unsigned_bytes), "v"(signed_bytes));
  return acc;
}

// Per quad: the 4 gathered columns' 64 bytes each are interleaved by two rounds of unpacks into
// 4 vectors whose lane holds one token's 4 inputs (vector k, 128-bit lane L: tokens 16L + 4k ..
// 16L + 4k + 3), then each of the 4 rows' broadcast weights is multiplied in: 16 accumulators.
static inline void int8_row_group(const uint8_t* tile, const Int8Weight& weight, int b, int32_t* out) {
  __m512i acc[4][4];
  for (int j = 0; j < 4; j++)
    for (int k = 0; k < 4; k++) acc[j][k] = _mm512_setzero_si512();
  for (int q = weight.pointers[b]; q < weight.pointers[b + 1]; q++) {
    const int32_t* columns = weight.columns + 4 * static_cast<int64_t>(q);
    const __m512i u0 = _mm512_loadu_si512(tile + static_cast<int64_t>(columns[0]) * TOKEN_TILE);
    const __m512i u1 = _mm512_loadu_si512(tile + static_cast<int64_t>(columns[1]) * TOKEN_TILE);
    const __m512i u2 = _mm512_loadu_si512(tile + static_cast<int64_t>(columns[2]) * TOKEN_TILE);
    const __m512i u3 = _mm512_loadu_si512(tile + static_cast<int64_t>(columns[3]) * TOKEN_TILE);
    const __m512i x0 = _mm512_unpacklo_epi8(u0, u1), x1 = _mm512_unpackhi_epi8(u0, u1);
    const __m512i x2 = _mm512_unpacklo_epi8(u2, u3), x3 = _mm512_unpackhi_epi8(u2, u3);
    const __m512i y[4] = {_mm512_unpacklo_epi16(x0, x2), _mm512_unpackhi_epi16(x0, x2), _mm512_unpacklo_epi16(x1, x3),
                          _mm512_unpackhi_epi16(x1, x3)};
    const int8_t* w = weight.weights + 16 * static_cast<int64_t>(q);
    for (int j = 0; j < 4; j++) {
      int32_t lane;
      __builtin_memcpy(&lane, w + 4 * j, sizeof lane);
      const __m512i broadcast = _mm512_set1_epi32(lane);
      for (int k = 0; k < 4; k++) acc[j][k] = dpbusd(acc[j][k], y[k], broadcast);
    }
  }
  // Back to token order: natural vector L = 128-bit lane L of acc[j][0..3].
  for (int j = 0; j < 4; j++) {
    const __m512i t0 = _mm512_shuffle_i32x4(acc[j][0], acc[j][1], 0x44), t1 = _mm512_shuffle_i32x4(acc[j][0], acc[j][1], 0xEE);
    const __m512i t2 = _mm512_shuffle_i32x4(acc[j][2], acc[j][3], 0x44), t3 = _mm512_shuffle_i32x4(acc[j][2], acc[j][3], 0xEE);
    int32_t* row = out + j * TOKEN_TILE;
    _mm512_store_si512(row, _mm512_shuffle_i32x4(t0, t2, 0x88));
    _mm512_store_si512(row + 16, _mm512_shuffle_i32x4(t0, t2, 0xDD));
    _mm512_store_si512(row + 32, _mm512_shuffle_i32x4(t1, t3, 0x88));
    _mm512_store_si512(row + 48, _mm512_shuffle_i32x4(t1, t3, 0xDD));
  }
}

#include "int8-body.inc"
#include "ops-body.inc"
#include "attention-body.inc"
#include "table.inc"

}  // namespace avx512

const KernelTable* kernel_table_avx512() { return &avx512::table; }

}  // namespace pofa
