// A standalone test of the native kernel tables against plain C++ reference loops (double
// accumulation), without Node: built natively and cross-compiled for arm64, where it runs under
// qemu-aarch64 (see scripts/kernel-test.mjs). It checks every table this CPU runs (the portable
// one always; AVX2 and AVX-512 VNNI on x86-64 when compiled in and supported): sparse fp32 CSR
// and 4x1-block Linears, int8 Linears (dynamic and calibrated activation ranges), the dense
// GEMM, LayerNorm, GELU, the residual add, attention, and that denormals are flushed to zero.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <vector>

#include "../kernels.h"
#include "../thread-pool.h"

namespace {

using pofa::KernelTable;

int failures = 0;
int checks = 0;

struct Random {
  uint64_t state;
  double next() {  // uniform in [0, 1)
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  }
  float uniform(float low, float high) { return static_cast<float>(low + (high - low) * next()); }
};

void expect_close(const char* isa, const char* what, const std::vector<float>& actual, const std::vector<double>& expected, double relative,
                  double absolute) {
  checks++;
  for (size_t i = 0; i < expected.size(); i++) {
    const double error = std::fabs(actual[i] - expected[i]);
    if (!(error <= absolute + relative * std::fabs(expected[i]))) {
      std::printf("FAIL %s %s: index %zu: %.9g, expected %.9g\n", isa, what, i, actual[i], expected[i]);
      failures++;
      return;
    }
  }
}

double gelu_reference(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

// A random [rows, cols] weight with about `density` of its elements non-zero.
std::vector<float> sparse_weight(Random& random, int rows, int cols, double density) {
  std::vector<float> weight(static_cast<size_t>(rows) * cols, 0.0f);
  for (float& value : weight)
    if (random.next() < density) value = random.uniform(-1.0f, 1.0f);
  return weight;
}

std::vector<double> linear_reference(const std::vector<float>& input, int tokens, int cols, const std::vector<float>& weight, int rows,
                                     const std::vector<float>& bias, bool gelu) {
  std::vector<double> out(static_cast<size_t>(tokens) * rows);
  for (int t = 0; t < tokens; t++)
    for (int r = 0; r < rows; r++) {
      double sum = bias.empty() ? 0.0 : bias[r];
      for (int c = 0; c < cols; c++) sum += static_cast<double>(input[t * cols + c]) * weight[r * cols + c];
      out[t * rows + r] = gelu ? gelu_reference(sum) : sum;
    }
  return out;
}

pofa::LinearArgs linear_args(const std::vector<float>& input, int tokens, int cols, int rows, const std::vector<float>& bias, bool gelu,
                             std::vector<float>& out) {
  return pofa::LinearArgs{input.data(), tokens, cols, rows, bias.empty() ? nullptr : bias.data(), gelu, out.data(), false, false};
}

void test_sparse_fp32(const KernelTable& table, const pofa::Parallel& parallel, Random& random) {
  const int shapes[][2] = {{13, 37}, {32, 96}, {20, 5}};
  for (int tokens : {1, 7, 70, 131})
    for (const auto& shape : shapes)
      for (bool gelu : {false, true}) {
        const int rows = shape[0], cols = shape[1];
        std::vector<float> input(static_cast<size_t>(tokens) * cols);
        for (float& x : input) x = random.uniform(-2.0f, 2.0f);
        std::vector<float> bias(rows);
        for (float& b : bias) b = random.uniform(-0.5f, 0.5f);
        const std::vector<float> weight = sparse_weight(random, rows, cols, 0.2);
        const std::vector<double> expected = linear_reference(input, tokens, cols, weight, rows, bias, gelu);

        // CSR
        std::vector<int32_t> pointers{0}, columns;
        std::vector<float> values;
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++)
            if (weight[r * cols + c] != 0.0f) columns.push_back(c), values.push_back(weight[r * cols + c]);
          pointers.push_back(static_cast<int32_t>(columns.size()));
        }
        std::vector<float> out(static_cast<size_t>(tokens) * rows, -1.0f);
        table.linear_csr(parallel, linear_args(input, tokens, cols, rows, bias, gelu, out), pointers.data(), columns.data(), values.data());
        expect_close(table.isa, gelu ? "linear_csr + gelu" : "linear_csr", out, expected, 1e-5, 1e-5);

        // 4x1 blocks: one block per (row group, column) where any of the 4 rows is non-zero.
        std::vector<int32_t> block_pointers{0}, block_columns;
        std::vector<float> block_values;
        for (int b = 0; b < (rows + 3) / 4; b++) {
          for (int c = 0; c < cols; c++) {
            bool any = false;
            for (int j = 0; j < 4 && 4 * b + j < rows; j++) any = any || weight[(4 * b + j) * cols + c] != 0.0f;
            if (!any) continue;
            block_columns.push_back(c);
            for (int j = 0; j < 4; j++) block_values.push_back(4 * b + j < rows ? weight[(4 * b + j) * cols + c] : 0.0f);
          }
          block_pointers.push_back(static_cast<int32_t>(block_columns.size()));
        }
        std::fill(out.begin(), out.end(), -1.0f);
        table.linear_block4x1(parallel, linear_args(input, tokens, cols, rows, bias, gelu, out), block_pointers.data(), block_columns.data(),
                              block_values.data());
        expect_close(table.isa, gelu ? "linear_block4x1 + gelu" : "linear_block4x1", out, expected, 1e-5, 1e-5);
      }
}

int32_t round_even(float x) { return static_cast<int32_t>(std::nearbyint(x)); }
int32_t clamp_byte(int32_t q) { return q < 0 ? 0 : (q > 255 ? 255 : q); }
float clampf(float x, float low, float high) { return x < low ? low : (x > high ? high : x); }

// The int8 Linear: per-row symmetric int8 weights (scale per row) gathered in quads of 4 columns
// per 4 output rows (kernels.h), uint8 activations per token (dynamic range) or with a fixed range.
void test_int8(const KernelTable& table, const pofa::Parallel& parallel, Random& random) {
  const int shapes[][2] = {{13, 37}, {32, 96}};
  for (int tokens : {1, 9, 70, 131})
    for (const auto& shape : shapes)
      for (bool dynamic : {true, false}) {
        const int rows = shape[0], cols = shape[1], padded = (rows + 3) / 4 * 4;
        std::vector<int8_t> weight(static_cast<size_t>(rows) * cols, 0);
        for (int8_t& w : weight)
          if (random.next() < 0.25) w = static_cast<int8_t>(static_cast<int>(random.next() * 255.0) - 127);
        std::vector<float> scales(padded, 0.0f);
        std::vector<int32_t> row_sums(padded, 0);
        for (int r = 0; r < rows; r++) {
          scales[r] = random.uniform(0.001f, 0.02f);
          for (int c = 0; c < cols; c++) row_sums[r] += weight[r * cols + c];
        }
        std::vector<int32_t> pointers{0}, quad_columns;
        std::vector<int8_t> quad_weights;
        for (int b = 0; b < padded / 4; b++) {
          std::vector<int32_t> used;
          for (int c = 0; c < cols; c++) {
            bool any = false;
            for (int j = 0; j < 4 && 4 * b + j < rows; j++) any = any || weight[(4 * b + j) * cols + c] != 0;
            if (any) used.push_back(c);
          }
          const size_t quads = (used.size() + 3) / 4;
          for (size_t q = 0; q < quads; q++) {
            int32_t gathered[4];
            bool padding[4];
            for (int x = 0; x < 4; x++) {
              const size_t index = 4 * q + x;
              padding[x] = index >= used.size();
              gathered[x] = padding[x] ? used.back() : used[index];
              quad_columns.push_back(gathered[x]);
            }
            for (int j = 0; j < 4; j++)
              for (int x = 0; x < 4; x++)
                quad_weights.push_back(padding[x] || 4 * b + j >= rows ? 0 : weight[(4 * b + j) * cols + gathered[x]]);
          }
          pointers.push_back(pointers.back() + static_cast<int32_t>(quads));
        }
        std::vector<float> input(static_cast<size_t>(tokens) * cols);
        for (float& x : input) x = random.uniform(-3.0f, 1.5f);
        std::vector<float> bias(rows);
        for (float& b : bias) b = random.uniform(-0.5f, 0.5f);
        const pofa::ActivationQuant quant{dynamic, 0.02f, 150};

        std::vector<double> expected(static_cast<size_t>(tokens) * rows);
        for (int t = 0; t < tokens; t++) {
          const float* x = input.data() + t * cols;
          float scale = quant.scale;
          int32_t zero_point = quant.zero_point;
          if (dynamic) {
            float low = 0.0f, high = 0.0f;
            for (int c = 0; c < cols; c++) low = std::fmin(low, x[c]), high = std::fmax(high, x[c]);
            scale = high - low == 0.0f ? 1.0f : (high - low) / 255.0f;
            zero_point = clamp_byte(round_even(clampf(-low / scale, -1024.0f, 1024.0f)));
          }
          const float inverse = 1.0f / scale;
          for (int r = 0; r < rows; r++) {
            int64_t sum = 0;
            for (int c = 0; c < cols; c++) {
              const int32_t q = clamp_byte(round_even(clampf(x[c] * inverse, -1024.0f, 1024.0f)) + zero_point);
              sum += static_cast<int64_t>(q - zero_point) * weight[r * cols + c];
            }
            expected[t * rows + r] = static_cast<double>(sum) * scale * scales[r] + bias[r];
          }
        }
        std::vector<float> out(static_cast<size_t>(tokens) * rows, -1.0f);
        const pofa::Int8Weight packed{pointers.data(), quad_columns.data(), quad_weights.data(), row_sums.data(), scales.data()};
        table.linear_int8(parallel, linear_args(input, tokens, cols, rows, bias, false, out), packed, quant);
        expect_close(table.isa, dynamic ? "linear_int8 (dynamic)" : "linear_int8 (calibrated)", out, expected, 1e-5, 1e-5);
      }
}

void test_dense_and_ops(const KernelTable& table, const pofa::Parallel& parallel, Random& random) {
  const int m = 37, k = 50, n = 29;
  std::vector<float> a(m * k), b(n * k), bias(n), out(m * n);
  for (float& x : a) x = random.uniform(-1.0f, 1.0f);
  for (float& x : b) x = random.uniform(-1.0f, 1.0f);
  for (float& x : bias) x = random.uniform(-1.0f, 1.0f);
  std::vector<double> expected(m * n);
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      double sum = bias[j];
      for (int p = 0; p < k; p++) sum += static_cast<double>(a[i * k + p]) * b[j * k + p];
      expected[i * n + j] = sum;
    }
  table.gemm(parallel, a.data(), m, k, b.data(), n, bias.data(), out.data());
  expect_close(table.isa, "gemm", out, expected, 1e-5, 1e-5);

  const int rows = 5, cols = 77;
  std::vector<float> x(rows * cols), gamma(cols), beta(cols), normed(rows * cols);
  for (float& value : x) value = random.uniform(-3.0f, 3.0f);
  for (float& value : gamma) value = random.uniform(0.5f, 1.5f);
  for (float& value : beta) value = random.uniform(-0.5f, 0.5f);
  std::vector<double> expected_norm(rows * cols);
  for (int r = 0; r < rows; r++) {
    double mean = 0.0, variance = 0.0;
    for (int c = 0; c < cols; c++) mean += x[r * cols + c];
    mean /= cols;
    for (int c = 0; c < cols; c++) variance += (x[r * cols + c] - mean) * (x[r * cols + c] - mean);
    const double inverse = 1.0 / std::sqrt(variance / cols + 1e-12);
    for (int c = 0; c < cols; c++) expected_norm[r * cols + c] = (x[r * cols + c] - mean) * inverse * gamma[c] + beta[c];
  }
  table.layer_norm(parallel, x.data(), rows, cols, gamma.data(), beta.data(), 1e-12f, normed.data());
  expect_close(table.isa, "layer_norm", normed, expected_norm, 1e-5, 1e-5);

  std::vector<float> activations(1000);
  std::vector<double> expected_gelu(activations.size());
  for (size_t i = 0; i < activations.size(); i++) {
    activations[i] = random.uniform(-6.0f, 6.0f);
    expected_gelu[i] = gelu_reference(activations[i]);
  }
  table.gelu(parallel, activations.data(), static_cast<int64_t>(activations.size()));
  expect_close(table.isa, "gelu", activations, expected_gelu, 1e-5, 1e-6);

  // The kernels run with denormals flushed to zero (FTZ/DAZ on x86-64, FPCR.FZ on arm64).
  std::vector<float> tiny(64, 1e-39f), tiny_too(64, 1e-39f);
  table.add(parallel, tiny.data(), tiny_too.data(), static_cast<int64_t>(tiny.size()));
  expect_close(table.isa, "add flushes denormals", tiny, std::vector<double>(64, 0.0), 0.0, 0.0);
  std::vector<float> sum_a(100), sum_b(100);
  std::vector<double> expected_sum(100);
  for (int i = 0; i < 100; i++) sum_a[i] = random.uniform(-1, 1), sum_b[i] = random.uniform(-1, 1), expected_sum[i] = double(sum_a[i]) + sum_b[i];
  table.add(parallel, sum_a.data(), sum_b.data(), 100);
  expect_close(table.isa, "add", sum_a, expected_sum, 1e-6, 0.0);
}

void test_attention(const KernelTable& table, const pofa::Parallel& parallel, Random& random) {
  const int batch = 2, seq = 11, heads = 3, head_dim = 8, width = heads * head_dim, stride = 3 * width;
  std::vector<float> fused(static_cast<size_t>(batch) * seq * stride), mask(batch * seq, 1.0f), out(batch * seq * width);
  for (float& x : fused) x = random.uniform(-1.0f, 1.0f);
  for (int j = 8; j < seq; j++) mask[seq + j] = 0.0f;  // the second sequence has 3 padding keys
  const float* q = fused.data();
  const float* k = fused.data() + width;
  const float* v = fused.data() + 2 * width;
  std::vector<double> expected(out.size());
  for (int b = 0; b < batch; b++)
    for (int h = 0; h < heads; h++)
      for (int i = 0; i < seq; i++) {
        std::vector<double> scores(seq);
        double top = -1e300;
        for (int j = 0; j < seq; j++) {
          double dot = 0.0;
          for (int d = 0; d < head_dim; d++) dot += double(q[(b * seq + i) * stride + h * head_dim + d]) * k[(b * seq + j) * stride + h * head_dim + d];
          scores[j] = mask[b * seq + j] != 0.0f ? dot / std::sqrt(double(head_dim)) : -1e300;
          top = std::fmax(top, scores[j]);
        }
        double total = 0.0;
        for (double& score : scores) total += (score = score == -1e300 ? 0.0 : std::exp(score - top));
        for (int d = 0; d < head_dim; d++) {
          double sum = 0.0;
          for (int j = 0; j < seq; j++) sum += scores[j] / total * v[(b * seq + j) * stride + h * head_dim + d];
          expected[(b * seq + i) * width + h * head_dim + d] = sum;
        }
      }
  table.attention(parallel, q, k, v, stride, batch, seq, heads, head_dim, mask.data(), out.data());
  expect_close(table.isa, "attention", out, expected, 1e-4, 1e-5);
}

}  // namespace

int main() {
  std::vector<const KernelTable*> tables{pofa::kernel_table_scalar()};
#if defined(__x86_64__) && defined(POFA_HAVE_X86_BUILDS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) tables.push_back(pofa::kernel_table_avx2());
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vnni"))
    tables.push_back(pofa::kernel_table_avx512());
#endif
  for (int threads : {1, 3}) {
    pofa::ThreadPool pool(threads);
    const pofa::Parallel parallel = pool.parallel();
    for (const KernelTable* table : tables) {
      Random random{0x5eed0000u + static_cast<uint64_t>(threads)};
      test_sparse_fp32(*table, parallel, random);
      test_int8(*table, parallel, random);
      test_dense_and_ops(*table, parallel, random);
      test_attention(*table, parallel, random);
    }
  }
  std::printf("%s: %d checks on", failures == 0 ? "ok" : "FAILED", checks);
  for (const KernelTable* table : tables) std::printf(" %s", table->isa);
  std::printf(" (1 and 3 threads), %d failed\n", failures);
  return failures == 0 ? 0 : 1;
}
