// Measures the single-core fp32 FMA peak: 12 independent chains of 512-bit (or 256-bit with
// -DPOFA_PEAK_AVX2) FMAs, enough to cover the FMA latency on current x86 cores.
// Prints the best GFLOP/s (2 FLOPs per lane per FMA) seen over the run length given in
// milliseconds.
#include <immintrin.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const double milliseconds = argc > 1 ? std::atof(argv[1]) : 200.0;
#ifdef POFA_PEAK_AVX2
  using V = __m256;
  const int lanes = 8;
#define FMA _mm256_fmadd_ps
  V a = _mm256_set1_ps(0.9999f), b = _mm256_set1_ps(1e-5f), acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps(i * 0.001f);
#else
  using V = __m512;
  const int lanes = 16;
#define FMA _mm512_fmadd_ps
  V a = _mm512_set1_ps(0.9999f), b = _mm512_set1_ps(1e-5f), acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps(i * 0.001f);
#endif
  // The best of many ~1 ms windows: on a shared machine a short window often runs alone.
  double best = 0;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() * 1000 < milliseconds) {
    const auto window = std::chrono::steady_clock::now();
    for (int it = 0; it < 20000; it++) {
#pragma GCC unroll 12
      for (int i = 0; i < 12; i++) acc[i] = FMA(acc[i], a, b);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - window).count();
    const double rate = 20000 * 12.0 * lanes * 2 / seconds / 1e9;
    if (rate > best) best = rate;
  }
  float sink[lanes] = {};
  for (int i = 0; i < 12; i++) {
    float part[lanes];
    __builtin_memcpy(part, &acc[i], sizeof part);
    for (int j = 0; j < lanes; j++) sink[j] += part[j];
  }
  // The sum keeps the chains alive; it is printed to stderr so stdout holds only the rate.
  std::fprintf(stderr, "checksum %g\n", sink[0]);
  std::printf("%.3f\n", best);
  return 0;
}
