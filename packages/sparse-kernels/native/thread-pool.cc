#include "thread-pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

// libstdc++ 12 added a new version of condition_variable::wait (GLIBCXX_3.4.30: only its
// behaviour under pthread cancellation differs, which the pool never uses); binding the old one
// lets a prebuilt binary made with GCC 12 load on systems with an older libstdc++.
#if defined(__linux__) && defined(__GLIBCXX__)
__asm__(".symver _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE,_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.11");
#endif

namespace pofa {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// How long an idle worker spins for the next job before it sleeps, and how long the caller
// spins for the workers of a job before it sleeps.
constexpr auto WORKER_SPIN = std::chrono::microseconds(300);
constexpr auto CALLER_SPIN = std::chrono::microseconds(2000);

template <class Done>
bool spin_until(Done done, std::chrono::microseconds limit) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0;; i++) {
    if (done()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() - start > limit) return false;
  }
}

// Denormal floats (below 1.2e-38) cost ~100x an ordinary operand in SSE/AVX arithmetic: one
// padded position's vanishing gradients made BERT-Base training GEMMs 4-5x slower. The kernels
// run with flush-to-zero and denormals-are-zero on; the caller's (JavaScript's) mode is restored.
class FlushDenormals {
 public:
  FlushDenormals() {
#if defined(__x86_64__) || defined(__i386__)
    saved_ = _mm_getcsr();
    _mm_setcsr(saved_ | 0x8040);  // FTZ (bit 15) | DAZ (bit 6)
#elif defined(__aarch64__)
    saved_ = __builtin_aarch64_get_fpcr64();
    __builtin_aarch64_set_fpcr64(saved_ | (1u << 24));  // FZ: denormal inputs and results are zero
#endif
  }
  ~FlushDenormals() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(saved_);
#elif defined(__aarch64__)
    __builtin_aarch64_set_fpcr64(saved_);
#endif
  }
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  uint64_t saved_ = 0;
};

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; i++) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    stop_flag_.store(true);
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::run_static(void* pool, int tasks, TaskFunction task, void* context) {
  static_cast<ThreadPool*>(pool)->run(tasks, task, context);
}

void ThreadPool::run(int tasks, TaskFunction task, void* context) {
  if (tasks <= 0) return;
  const FlushDenormals flush;
  if (workers_.empty() || tasks == 1) {
    for (int i = 0; i < tasks; i++) task(context, i);
    return;
  }
  {
    std::unique_lock<std::mutex> lock(mutex_);
    // A worker that joined the previous job after it was drained may still be leaving it.
    idle_.wait(lock, [this] { return active_.load() == 0; });
    task_ = task;
    context_ = context;
    tasks_ = tasks;
    next_.store(0);
    generation_.fetch_add(1, std::memory_order_release);
    if (sleeping_ > 0) wake_.notify_all();
  }
  for (int i = next_.fetch_add(1); i < tasks; i = next_.fetch_add(1)) task(context, i);
  // Every task is claimed; wait for the workers still running theirs.
  if (!spin_until([this] { return active_.load(std::memory_order_acquire) == 0; }, CALLER_SPIN)) {
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait(lock, [this] { return active_.load() == 0; });
  }
}

void ThreadPool::worker_loop() {
  const FlushDenormals flush;  // for the worker's lifetime: it runs nothing but kernels
  uint64_t seen = 0;
  for (;;) {
    spin_until([&] { return generation_.load(std::memory_order_acquire) != seen || stop_flag_.load(); }, WORKER_SPIN);
    TaskFunction task;
    void* context;
    int tasks;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (!stopping_ && generation_.load() == seen) {
        sleeping_++;
        wake_.wait(lock, [&] { return stopping_ || generation_.load() != seen; });
        sleeping_--;
      }
      if (stopping_) return;
      seen = generation_.load();
      task = task_;
      context = context_;
      tasks = tasks_;
      active_.fetch_add(1);
    }
    for (int i = next_.fetch_add(1); i < tasks; i = next_.fetch_add(1)) task(context, i);
    if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      idle_.notify_all();
    }
  }
}

}  // namespace pofa
