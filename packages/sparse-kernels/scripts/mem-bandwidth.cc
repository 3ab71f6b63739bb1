// Measures memory bandwidth the way the sparse kernels use it: a read-only stream (what a Linear
// kernel does with its weight values and indices) and a STREAM triad a[i] = b[i] + s·c[i], over
// per-thread buffers sized to sit in L2, in L3, or in DRAM, on 1..N threads at once.
//
//   c++ -O2 -pthread scripts/mem-bandwidth.cc -o /tmp/mem-bandwidth [-mavx512f]
//   /tmp/mem-bandwidth [threads=2] [milliseconds per cell=300] [KiB per thread ...]
//
// Prints one line per (kernel, threads, size): GB/s (1e9 bytes per second) of the best window and
// the median window. Bytes count what the code asks for: 4 per float read; the triad counts 12 per
// element (two reads and a write, as STREAM does; the hardware also reads the written line first).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

typedef float v16 __attribute__((vector_size(64)));

using Clock = std::chrono::steady_clock;

// Sums the buffer with 4 independent vector accumulators, two loads each per step, held in
// registers (adds are not the bottleneck).
inline v16 load(const float* at) {
  v16 x;
  std::memcpy(&x, at, sizeof x);
  return x;
}

float read_pass(const float* data, size_t count) {
  v16 a0 = {}, a1 = {}, a2 = {}, a3 = {};
  size_t i = 0;
  for (; i + 128 <= count; i += 128) {
    a0 += load(data + i) + load(data + i + 16);
    a1 += load(data + i + 32) + load(data + i + 48);
    a2 += load(data + i + 64) + load(data + i + 80);
    a3 += load(data + i + 96) + load(data + i + 112);
  }
  const v16 all = (a0 + a1) + (a2 + a3);
  float sum = 0;
  for (int lane = 0; lane < 16; lane++) sum += all[lane];
  for (; i < count; i++) sum += data[i];
  return sum;
}

void triad_pass(float* a, const float* b, const float* c, size_t count, float s) {
  for (size_t i = 0; i < count; i++) a[i] = b[i] + s * c[i];
}

struct Buffers {
  std::vector<float> a, b, c;
};

// One cell: `threads` threads, each streaming its own buffers of `bytes` per array. Every window
// starts all threads together and ends when the last finishes; returns GB/s per window.
std::vector<double> measure(bool triad, int threads, size_t bytes, double milliseconds) {
  const size_t count = std::max<size_t>(bytes / sizeof(float), 16 * 8);
  std::vector<Buffers> buffers(threads);
  // Repeat passes so a window lasts ~2 ms at least even for cache-sized buffers.
  const int passes = static_cast<int>(std::max<size_t>(1, (64u << 20) / (count * sizeof(float))));
  std::atomic<int> generation{0}, done{0};
  std::atomic<bool> stop{false};
  std::atomic<float> sink{0};
  std::vector<std::thread> workers;
  auto work = [&](int t) {
    Buffers& own = buffers[t];  // first touched by the thread that streams it
    own.a.assign(count, 1.0f);
    own.b.assign(count, 2.0f);
    own.c.assign(count, 0.5f);
    done.fetch_add(1);
    int seen = 0;
    for (;;) {
      while (generation.load() == seen && !stop.load()) std::this_thread::yield();
      if (stop.load()) return;
      seen = generation.load();
      float local = 0;
      for (int p = 0; p < passes; p++) {
        if (triad) triad_pass(own.a.data(), own.b.data(), own.c.data(), count, 0.999f + p * 1e-6f);
        else local += read_pass(own.a.data(), count);
      }
      sink.store(local + own.a[count / 2]);
      done.fetch_add(1);
    }
  };
  for (int t = 0; t < threads; t++) workers.emplace_back(work, t);
  while (done.load() < threads) std::this_thread::yield();
  const double bytes_per_window = static_cast<double>(threads) * passes * count * sizeof(float) * (triad ? 3 : 1);
  std::vector<double> rates;
  const auto start = Clock::now();
  while (std::chrono::duration<double, std::milli>(Clock::now() - start).count() < milliseconds || rates.size() < 3) {
    done.store(0);
    const auto window = Clock::now();
    generation.fetch_add(1);
    while (done.load() < threads) std::this_thread::yield();
    const double seconds = std::chrono::duration<double>(Clock::now() - window).count();
    rates.push_back(bytes_per_window / seconds / 1e9);
  }
  stop.store(true);
  for (auto& worker : workers) worker.join();
  std::fprintf(stderr, "checksum %g\n", static_cast<double>(sink.load()));
  return rates;
}

}  // namespace

int main(int argc, char** argv) {
  const int max_threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const double milliseconds = argc > 2 ? std::atof(argv[2]) : 300.0;
  std::vector<size_t> kib;
  for (int i = 3; i < argc; i++) kib.push_back(std::strtoull(argv[i], nullptr, 10));
  // L2-sized, L3-sized (per thread), and far past any cache.
  if (kib.empty()) kib = {512, 8 << 10, 512 << 10};
  std::printf("kernel threads KiB_per_thread best_GBps median_GBps\n");
  for (const bool triad : {false, true})
    for (int threads = 1; threads <= max_threads; threads++)
      for (const size_t size : kib) {
        std::vector<double> rates = measure(triad, threads, size << 10, milliseconds);
        std::sort(rates.begin(), rates.end());
        std::printf("%s %d %zu %.1f %.1f\n", triad ? "triad" : "read", threads, size, rates.back(), rates[rates.size() / 2]);
        std::fflush(stdout);
      }
  return 0;
}
